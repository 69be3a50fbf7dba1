namespace AntiEtcd.Jepsen;

/// <summary>
/// A workload: concurrent workers that record a history while the nemesis runs, a finishing phase
/// after the cluster is healed, and the checks of what was recorded.
/// </summary>
public interface IJepsenWorkload
{
    /// <summary>The workload's name (register, append, lease, watch).</summary>
    string Name { get; }

    /// <summary>Server arguments this workload needs on every node (e.g. <c>--compact_revisions 0</c>).</summary>
    IReadOnlyList<string> ServerArguments { get; }

    /// <summary>Runs the workers until <paramref name="stop"/>; in-flight requests then finish (bounded by the client timeout).</summary>
    /// <param name="context">The cluster and the client factory.</param>
    /// <param name="stop">Stops invoking new operations.</param>
    /// <param name="cancellationToken">Aborts everything (the run's hard deadline); aborted writes are Unknown.</param>
    Task RunAsync(WorkloadContext context, CancellationToken stop, CancellationToken cancellationToken);

    /// <summary>After heal and settle: final reads, watch catch-up, lease expiry checks.</summary>
    Task FinishAsync(WorkloadContext context, CancellationToken cancellationToken);

    /// <summary>Judges the recorded history.</summary>
    IReadOnlyList<CheckReport> Check();

    /// <summary>Writes every recorded operation as JSON lines.</summary>
    void WriteHistory(HistoryWriter writer);

    /// <summary>Operations recorded (for the report).</summary>
    long OperationCount { get; }
}
