namespace AntiEtcd.Jepsen;

/// <summary>Creates workloads by name.</summary>
public static class Workloads
{
    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["register", "append", "lease", "watch", "all"];

    /// <summary>
    /// The workloads of <paramref name="name"/>: one, or for <c>all</c> the watch (which includes a
    /// register history), append and lease workloads together on one cluster.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static IReadOnlyList<IJepsenWorkload> Create(string name) => name switch
    {
        "register" => [new RegisterWorkload()],
        "append" => [new ListAppendWorkload()],
        "lease" => [new LeaseWorkload()],
        "watch" => [new WatchWorkload()],
        "all" => [new WatchWorkload(), new ListAppendWorkload(), new LeaseWorkload()],
        _ => throw new ArgumentException($"unknown workload '{name}' (expected {string.Join('|', Names)})", nameof(name)),
    };
}
