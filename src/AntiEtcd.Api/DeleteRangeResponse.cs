namespace AntiEtcd.Api;

/// <summary>Response of <c>/v3/kv/deleterange</c> (SPEC §4.3).</summary>
public sealed class DeleteRangeResponse
{
    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; set; } = new();

    /// <summary>Number of keys deleted.</summary>
    public long Deleted { get; set; }

    /// <summary>The deleted kvs in key order, when requested.</summary>
    public IReadOnlyList<KeyValue> PrevKvs { get; set; } = [];
}
