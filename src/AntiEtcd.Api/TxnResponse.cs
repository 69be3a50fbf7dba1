namespace AntiEtcd.Api;

/// <summary>Response of <c>/v3/kv/txn</c> (SPEC §4.4).</summary>
public sealed class TxnResponse
{
    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; set; } = new();

    /// <summary>True when the success branch ran.</summary>
    public bool Succeeded { get; set; }

    /// <summary>One response per executed op, in order.</summary>
    public IReadOnlyList<ResponseOp> Responses { get; set; } = [];
}
