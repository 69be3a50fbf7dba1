namespace AntiEtcd.Simulation.Tests;

/// <summary>The knobs of one simulation run; everything random derives from <see cref="Seed"/>.</summary>
internal sealed record SimOptions
{
    public required int Seed { get; init; }
    public int Nodes { get; init; } = 3;

    /// <summary>Virtual milliseconds with faults; then the network heals and the cluster must converge.</summary>
    public int FaultyMs { get; init; } = 4000;
    public int QuietMs { get; init; } = 2500;
    public int TickMs { get; init; } = 10;
    public int ElectionTicks { get; init; } = 10;
    public int HeartbeatTicks { get; init; } = 2;

    /// <summary>The append window per follower; by default 1 (what the server runs with) for even seeds and 4 for odd ones.</summary>
    public int? MaxInflight { get; init; }
    public ulong MaxSizePerMessage { get; init; } = 64;
    public bool PreVote { get; init; } = true;

    /// <summary>Give nodes random leader_priority values in [0, 2], so priority transfers happen under faults.</summary>
    public bool Priorities { get; init; } = true;
    public bool CheckQuorum { get; init; } = true;

    public double DropRate { get; init; } = 0.03;
    public double DuplicateRate { get; init; } = 0.02;
    public double LongDelayRate { get; init; } = 0.02;
    public int MinDelayMs { get; init; } = 1;
    public int MaxDelayMs { get; init; } = 8;
    public int MaxFsyncMs { get; init; } = 4;

    /// <summary>Mean virtual milliseconds between nemesis actions (crash, partition, one-way cut, heal).</summary>
    public int NemesisEveryMs { get; init; } = 300;
    /// <summary>Probability that a crash picks the current leader rather than a random node.</summary>
    public double CrashLeaderBias { get; init; }
    public double CrashRate { get; init; } = 0.25;
    public int MaxDownMs { get; init; } = 800;
    public int WriteEveryMs { get; init; } = 15;
    public int ReadEveryMs { get; init; } = 40;
    public int SnapshotEveryMs { get; init; } = 150;
    public int Keys { get; init; } = 4;

    /// <summary>
    /// The share of restarts that come back with incomplete state (SPEC §9.4: a data directory that recorded filtered
    /// writes). The simulated application behaves as the server does: it takes a snapshot when a complete leader asks
    /// for one for incomplete followers, and an incomplete leader becomes complete once it applies an entry of its own
    /// term (where the server's volatile reset would be).
    /// </summary>
    public double IncompleteRestartRate { get; init; }

    /// <summary>Bugs planted in the configuration of every node (tests of the simulation itself).</summary>
    public Raft.RaftBugs Bugs { get; init; }

    /// <summary>Events kept for the failure report.</summary>
    public int TraceLength { get; init; } = 50;
}
