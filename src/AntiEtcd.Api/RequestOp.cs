namespace AntiEtcd.Api;

/// <summary>One operation of a txn branch: exactly one property is set; none is the empty op (SPEC §4.4).</summary>
public sealed class RequestOp
{
    /// <summary>A range.</summary>
    public RangeRequest? RequestRange { get; set; }

    /// <summary>A put.</summary>
    public PutRequest? RequestPut { get; set; }

    /// <summary>A delete.</summary>
    public DeleteRangeRequest? RequestDeleteRange { get; set; }

    /// <summary>A nested txn.</summary>
    public TxnRequest? RequestTxn { get; set; }
}
