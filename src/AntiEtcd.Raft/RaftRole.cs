namespace AntiEtcd.Raft;

/// <summary>The role of a node in its current term.</summary>
public enum RaftRole
{
    /// <summary>Follows a leader (or waits for one).</summary>
    Follower = 0,

    /// <summary>Runs a pre-vote: asks whether it could win before it disturbs anyone (Raft thesis §9.6).</summary>
    PreCandidate = 1,

    /// <summary>Runs a real election in a new term (Raft §5.2).</summary>
    Candidate = 2,

    /// <summary>Accepts proposals and replicates the log.</summary>
    Leader = 3,
}
