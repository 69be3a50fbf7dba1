namespace AntiEtcd.Api;

/// <summary>The response to one executed <see cref="RequestOp"/>: exactly one property is set.</summary>
public sealed class ResponseOp
{
    /// <summary>Response of a range op.</summary>
    public RangeResponse? ResponseRange { get; set; }

    /// <summary>Response of a put op.</summary>
    public PutResponse? ResponsePut { get; set; }

    /// <summary>Response of a delete op.</summary>
    public DeleteRangeResponse? ResponseDeleteRange { get; set; }

    /// <summary>Response of a nested txn.</summary>
    public TxnResponse? ResponseTxn { get; set; }
}
