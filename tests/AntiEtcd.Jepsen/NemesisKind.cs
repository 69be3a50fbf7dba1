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

    /// <summary>
    /// Slow links: every link of one node, or every link of the cluster, delays each chunk it carries
    /// by 5–400 ms for 1–4 s (latency, and a throughput cap of one chunk per delay per connection),
    /// then back to full speed. The kernel has no netem; the link proxies are our own transport.
    /// </summary>
    Slow,

    /// <summary>A random mix of the above.</summary>
    Mixed,
}
