namespace AntiEtcd.Jepsen;

/// <summary>One run: a workload under a nemesis on a fresh cluster.</summary>
public sealed class JepsenRunOptions
{
    /// <summary>The run's name: its folder is <c>&lt;ArtifactsRoot&gt;/&lt;Name&gt;/</c>.</summary>
    public string Name { get; set; } = "run";

    /// <summary>register, append, lease, watch or all.</summary>
    public string Workload { get; set; } = "register";

    /// <summary>The faults.</summary>
    public NemesisKind Nemesis { get; set; } = NemesisKind.Mixed;

    /// <summary>Cluster size (1, 3 or 5).</summary>
    public int Nodes { get; set; } = 3;

    /// <summary>Nodes run with <c>--data</c>.</summary>
    public bool Durable { get; set; }

    /// <summary>How long the workload and the nemesis run (the heal, settle and checks come after).</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Seed of the workload generators and the nemesis schedule.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Client workers per workload (fewer each for <c>all</c>).</summary>
    public int Workers { get; set; } = 5;

    /// <summary>Keep the run folder even when every check passes (long mode).</summary>
    public bool KeepArtifacts { get; set; }

    /// <summary>Parent of run folders; default <c>artifacts/jepsen</c> under the repository root.</summary>
    public string? ArtifactsRoot { get; set; }

    /// <summary>Client timeout per attempt: above the server's 5 s outcome deadline, so the server answers first.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Extra arguments for every node.</summary>
    public IReadOnlyList<string> ServerArguments { get; set; } = [];
}
