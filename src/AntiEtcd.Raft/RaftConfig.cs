namespace AntiEtcd.Raft;

/// <summary>The settings of one <see cref="RaftNode"/>.</summary>
/// <remarks>
/// Time is counted in abstract ticks (<see cref="RaftNode.Tick"/>); the server decides how long a tick is.
/// docs/raft.md maps antietcd's <c>heartbeat_timeout</c> and <c>election_timeout</c> onto these options.
/// </remarks>
public sealed class RaftConfig
{
    /// <summary>This node's ID; must be one of <see cref="Voters"/>.</summary>
    public required NodeId Id { get; init; }

    /// <summary>All voting members, this node included (static membership, SPEC §8.1).</summary>
    public required IReadOnlyList<NodeId> Voters { get; init; }

    /// <summary>The persisted log and hard state.</summary>
    public required IRaftStorage Storage { get; init; }

    /// <summary>Ticks without hearing from a leader before a follower campaigns. Default 10.</summary>
    /// <remarks>
    /// The actual timeout is drawn uniformly from [ElectionTicks, 2 × ElectionTicks) after each reset (Raft §5.2);
    /// a leader with <see cref="CheckQuorum"/> steps down after ElectionTicks without a majority. Must be greater
    /// than <see cref="HeartbeatTicks"/>.
    /// </remarks>
    public int ElectionTicks { get; init; } = 10;

    /// <summary>Ticks between leader heartbeats. Default 2.</summary>
    public int HeartbeatTicks { get; init; } = 2;

    /// <summary>This node's <c>leader_priority</c> (≥ 0, default 0), advertised to the leader in responses.</summary>
    /// <remarks>A leader hands leadership to an up-to-date follower with a strictly higher priority, at most once per election timeout (SPEC §8.2).</remarks>
    public int LeaderPriority { get; init; }

    /// <summary>Maximum number of append messages in flight to one follower in the replicate state. Default 256.</summary>
    public int MaxInflightMessages { get; init; } = 256;

    /// <summary>Maximum bytes of entries in one append message (at least one entry is always sent). Default 1 MiB.</summary>
    public ulong MaxSizePerMessage { get; init; } = 1024 * 1024;

    /// <summary>Maximum bytes of committed entries handed out in one <see cref="Ready"/>. Default 16 MiB.</summary>
    public ulong MaxCommittedSizePerReady { get; init; } = 16 * 1024 * 1024;

    /// <summary>Run a pre-vote before each election (Raft thesis §9.6). Default true.</summary>
    public bool PreVote { get; init; } = true;

    /// <summary>A leader that has not heard from a majority for an election timeout steps down, and followers ignore
    /// vote requests while they have a live leader (Raft thesis §6.2, §9.6). Default true.</summary>
    public bool CheckQuorum { get; init; } = true;

    /// <summary>The last index the application's state machine already reflects when the node starts. Default 0.</summary>
    /// <remarks>The core never re-delivers entries at or below it; it is raised to the snapshot index if lower.</remarks>
    public ulong Applied { get; init; }

    /// <summary>The source of election-timeout jitter. Default: a <see cref="Random"/> seeded from <see cref="Id"/>.</summary>
    /// <remarks>Always seeded, so a run replays exactly; the simulation passes one derived from its seed.</remarks>
    public Random? Random { get; init; }

    /// <summary>This node restarted without its term and vote (an in-memory node, SPEC §9.5). Default false.</summary>
    /// <remarks>
    /// In a cluster of more than one node it grants no pre-vote and no vote until it hears from a leader or
    /// 2 × <see cref="ElectionTicks"/> have passed since it started (SPEC §8.2), so it cannot vote twice in a term it forgot.
    /// </remarks>
    public bool InMemory { get; init; }

    /// <summary>This node's state is incomplete (SPEC §9.4, §9.5). Default false.</summary>
    /// <remarks>
    /// In a cluster of more than one node it campaigns only after hearing from no leader for 3 × <see cref="ElectionTicks"/>,
    /// counted from its start or from the last leader message, so that a node holding the volatile data wins first.
    /// </remarks>
    public bool IncompleteState { get; init; }

    /// <summary>Test-only: deliberate bugs, to prove the simulation finds them.</summary>
    internal RaftBugs PlantedBugs { get; init; }

    internal void Validate()
    {
        if (Id.IsNone)
        {
            throw new ArgumentException("Id must not be 0", nameof(Id));
        }

        if (HeartbeatTicks <= 0)
        {
            throw new ArgumentException("HeartbeatTicks must be positive", nameof(HeartbeatTicks));
        }

        if (ElectionTicks <= HeartbeatTicks)
        {
            throw new ArgumentException("ElectionTicks must be greater than HeartbeatTicks", nameof(ElectionTicks));
        }

        if (MaxInflightMessages <= 0)
        {
            throw new ArgumentException("MaxInflightMessages must be positive", nameof(MaxInflightMessages));
        }

        if (LeaderPriority < 0)
        {
            throw new ArgumentException("LeaderPriority must be >= 0", nameof(LeaderPriority));
        }

        ArgumentNullException.ThrowIfNull(Storage);
        ArgumentNullException.ThrowIfNull(Voters);
    }
}
