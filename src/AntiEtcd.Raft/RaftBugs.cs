namespace AntiEtcd.Raft;

/// <summary>Deliberate safety bugs that tests plant in one node's configuration to prove the simulation catches them.</summary>
/// <remarks>Internal and per node, never a global toggle (STYLE "Fault injection").</remarks>
[Flags]
internal enum RaftBugs
{
    /// <summary>Correct behaviour.</summary>
    None = 0,

    /// <summary>Grant a vote to any up-to-date candidate, even after voting for another one in the same term (breaks Raft §5.2).</summary>
    GrantTwoVotesInTerm = 1 << 0,

    /// <summary>Commit an entry of an earlier term by counting replicas (the Figure 8 mistake, Raft §5.4.2).</summary>
    CommitPreviousTermByCounting = 1 << 1,

    /// <summary>Vote for candidates whose log is behind ours (breaks the election restriction, Raft §5.4.1).</summary>
    SkipUpToDateCheck = 1 << 2,

    /// <summary>Answer read-index requests at once, without confirming leadership with a quorum (Raft thesis §6.4).</summary>
    ReadIndexWithoutQuorum = 1 << 3,

    /// <summary>The leader counts its own vote for commit before its entries are persisted (DESIGN §1 step 2).</summary>
    LeaderCountsSelfBeforePersist = 1 << 4,
}
