namespace AntiEtcd.Jepsen;

/// <summary>The shapes of network partition the nemesis builds from <see cref="FaultProxy"/> links.</summary>
public enum PartitionKind
{
    /// <summary>A random minority (⌊N/2⌋ nodes) cut from the majority, both directions.</summary>
    MajorityMinority,

    /// <summary>The current leader cut from every other node, both directions.</summary>
    IsolatedLeader,

    /// <summary>Two halves that cannot talk, joined by one bridge node that talks to both.</summary>
    Bridge,

    /// <summary>Node A cannot reach node B (A→B blocked) but B reaches A; A is the leader half of the time.</summary>
    OneWay,
}
