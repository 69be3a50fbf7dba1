namespace AntiEtcd.Api;

/// <summary>The header every response carries (etcd <c>ResponseHeader</c>).</summary>
/// <remarks>
/// Inside a txn, sub-responses carry a header with only <see cref="Revision"/> set; a nested
/// <c>response_txn</c> carries an empty header (SPEC §3.4, §4.4).
/// </remarks>
public sealed class ResponseHeader
{
    /// <summary>The cluster ID, derived from the sorted node IDs (SPEC §8.1).</summary>
    public ulong ClusterId { get; set; }

    /// <summary>The ID of the member that answered, derived from its node ID (SPEC §8.1).</summary>
    public ulong MemberId { get; set; }

    /// <summary>The store revision when the response was produced.</summary>
    public long Revision { get; set; }

    /// <summary>The Raft term of the answering node; 0 before the first election.</summary>
    public ulong RaftTerm { get; set; }
}
