namespace AntiEtcd.Api;

/// <summary>Response of <c>/v3/kv/range</c> (SPEC §4.1).</summary>
public sealed class RangeResponse
{
    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; set; } = new();

    /// <summary>The kvs after filters, sort and limit; empty when none.</summary>
    public IReadOnlyList<KeyValue> Kvs { get; set; } = [];

    /// <summary>True when <c>limit</c> cut the result.</summary>
    public bool More { get; set; }

    /// <summary>Keys in the range at the read revision, before filters and limit.</summary>
    public long Count { get; set; }
}
