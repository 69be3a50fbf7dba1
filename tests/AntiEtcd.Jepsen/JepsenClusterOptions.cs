namespace AntiEtcd.Jepsen;

/// <summary>How to start a <see cref="JepsenCluster"/>.</summary>
public sealed class JepsenClusterOptions
{
    /// <summary>Number of nodes, 1 to 7 (3 or 5 for real runs; 1 for a single-node cluster with no proxies).</summary>
    public int Nodes { get; set; } = 3;

    /// <summary>With <c>--data</c> (each node gets a directory under <see cref="Directory"/>); otherwise in memory.</summary>
    public bool Durable { get; set; }

    /// <summary>Where node logs and data directories go; created if missing.</summary>
    public string Directory { get; set; } = Path.Combine(Path.GetTempPath(), "antietcd-jepsen");

    /// <summary>Extra arguments given to every node (e.g. <c>--compact_revisions 0</c>).</summary>
    public IReadOnlyList<string> ExtraArguments { get; set; } = [];

    /// <summary>The <c>antietcd</c> executable; null finds the build output (see <see cref="JepsenCluster.FindExecutable"/>).</summary>
    public string? Executable { get; set; }

    /// <summary>Shared peer secret (at least 16 bytes).</summary>
    public string ClusterKey { get; set; } = "jepsen-cluster-key-0123456789";

    /// <summary>How long <see cref="JepsenCluster.StartAsync"/> waits for a leader.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
