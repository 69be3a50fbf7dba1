namespace AntiEtcd.Api;

/// <summary>Request of <c>/v3/kv/txn</c> (SPEC §4.4).</summary>
public sealed class TxnRequest
{
    /// <summary>Compares; all must hold for the success branch. Empty is true.</summary>
    public IReadOnlyList<Compare> Compare { get; set; } = [];

    /// <summary>Ops run when every compare holds.</summary>
    public IReadOnlyList<RequestOp> Success { get; set; } = [];

    /// <summary>Ops run otherwise.</summary>
    public IReadOnlyList<RequestOp> Failure { get; set; } = [];

    /// <summary>antietcd extension: serve a read-only txn from local state (SPEC §8.5).</summary>
    public bool Serializable { get; set; }
}
