namespace AntiEtcd.Raft;

/// <summary>The outcome of <see cref="RaftNode.ReadIndex"/>.</summary>
public enum ReadIndexStatus
{
    /// <summary>The request is under way; its <see cref="ReadState"/> arrives in a later <see cref="Ready"/>, or never if leadership changes (the application times out).</summary>
    Pending = 0,

    /// <summary>No leader is known: the read cannot be served now.</summary>
    NoLeader = 1,
}
