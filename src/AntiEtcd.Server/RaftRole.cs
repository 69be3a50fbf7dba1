namespace AntiEtcd.Server;

/// <summary>A node's Raft role; <see cref="Candidate"/> includes the pre-vote phase.</summary>
public enum RaftRole
{
    /// <summary>Follows a leader, or waits for one.</summary>
    Follower = 0,

    /// <summary>Campaigning.</summary>
    Candidate = 1,

    /// <summary>The leader.</summary>
    Leader = 2,
}
