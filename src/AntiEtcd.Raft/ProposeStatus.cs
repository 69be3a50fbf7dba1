namespace AntiEtcd.Raft;

/// <summary>The outcome of <see cref="RaftNode.Propose"/>.</summary>
public enum ProposeStatus
{
    /// <summary>The entry was appended to the leader's log; it is not committed yet.</summary>
    Accepted = 0,

    /// <summary>This node is not the leader: forward the write to <see cref="RaftNode.Leader"/> (SPEC §8.5).</summary>
    NotLeader = 1,

    /// <summary>The leader is handing leadership over; retry on the new leader.</summary>
    LeadershipTransferInProgress = 2,
}
