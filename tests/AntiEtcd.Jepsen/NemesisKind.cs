namespace AntiEtcd.Jepsen;

/// <summary>Which faults the nemesis injects.</summary>
public enum NemesisKind
{
    /// <summary>No faults (a baseline).</summary>
    None,

    /// <summary>kill -9 one node, restart it after a pause (same port, same data directory).</summary>
    Kill,

    /// <summary>SIGSTOP one node for 1–3 s, then SIGCONT.</summary>
    Pause,

    /// <summary>Network partitions of every <see cref="PartitionKind"/>, by the link proxies.</summary>
    Partition,

    /// <summary>A random mix of the above.</summary>
    Mixed,
}
