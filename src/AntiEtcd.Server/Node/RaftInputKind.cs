namespace AntiEtcd.Server.Node;

/// <summary>What a <see cref="RaftInput"/> asks the Raft loop to do.</summary>
internal enum RaftInputKind
{
    /// <summary>A clock tick.</summary>
    Tick,

    /// <summary>A message from a peer.</summary>
    Step,

    /// <summary>A proposal.</summary>
    Propose,

    /// <summary>Send the read-index requests waiting now, as one batch.</summary>
    ReadIndex,

    /// <summary>Hand leadership over.</summary>
    Transfer,

    /// <summary>The connection to a peer was lost.</summary>
    Unreachable,

    /// <summary>Every connection to the leader was lost: campaign soon (fast failover).</summary>
    LeaderLost,

    /// <summary>The apply loop took a snapshot.</summary>
    Snapshot,

    /// <summary>The state became incomplete or complete (SPEC §9.4).</summary>
    Completeness,
}
