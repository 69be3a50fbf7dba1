using System.Globalization;
using System.Text;
using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen;

/// <summary>
/// Runs one workload under one nemesis on a fresh cluster and checks it. The run folder
/// (<c>artifacts/jepsen/&lt;name&gt;/</c>) holds <c>history.jsonl</c>, <c>nemesis.log</c>, one log per
/// node, <c>check.txt</c> (every checker's explanation) and, with <c>--data</c>, the data directories.
/// It is deleted after a passing run unless <see cref="JepsenRunOptions.KeepArtifacts"/>.
/// </summary>
public static class JepsenRunner
{
    /// <summary><c>artifacts/jepsen</c> under the repository root (or the temp folder outside a checkout).</summary>
    public static string DefaultArtifactsRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AntiEtcd.slnx")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? Path.GetTempPath(), "artifacts", "jepsen");
    }

    /// <summary>Runs, checks, writes the folder and returns the verdict.</summary>
    /// <param name="options">What to run.</param>
    /// <param name="progress">Receives progress lines (a test's output helper or the console); may be null.</param>
    /// <param name="cancellationToken">Aborts the run (the cluster is still stopped).</param>
    public static async Task<JepsenRunResult> RunAsync(JepsenRunOptions options, Action<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var folder = Path.Combine(options.ArtifactsRoot ?? DefaultArtifactsRoot(), options.Name);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        var workloads = Workloads.Create(options.Workload);
        var serverArguments = new List<string>(options.ServerArguments);
        foreach (var workload in workloads)
        {
            serverArguments.AddRange(workload.ServerArguments);
        }

        long origin = MonotonicClock.NowNanos();
        var reports = new List<CheckReport>();
        int faults = 0;
        using var nemesisLog = new NemesisLog(Path.Combine(folder, "nemesis.log"), origin);
        nemesisLog.Write($"run {options.Name}: workload={options.Workload} nemesis={options.Nemesis} nodes={options.Nodes} data={options.Durable} time={options.Duration.TotalSeconds}s seed={options.Seed}");
        progress?.Invoke($"[jepsen] {options.Name}: starting {options.Nodes} node(s){(options.Durable ? " with --data" : "")} in {folder}\n");
        var cluster = await JepsenCluster.StartAsync(new JepsenClusterOptions
        {
            Nodes = options.Nodes,
            Durable = options.Durable,
            Directory = folder,
            ExtraArguments = serverArguments,
        }, cancellationToken);
        try
        {
            nemesisLog.Write("cluster started: " + cluster.Nodes[0].CommandLine);
            int workers = workloads.Count == 1 ? options.Workers : Math.Max(2, options.Workers / workloads.Count);
            var context = new WorkloadContext(cluster, options.Seed, workers, options.RequestTimeout);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var hard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            stop.CancelAfter(options.Duration);
            hard.CancelAfter(options.Duration + TimeSpan.FromMinutes(3));
            var nemesis = new Nemesis(cluster, options.Nemesis, options.Seed, nemesisLog);
            var running = new List<Task>();
            foreach (var workload in workloads)
            {
                running.Add(workload.RunAsync(context, stop.Token, hard.Token));
            }

            await CollectAsync([nemesis.RunAsync(stop.Token)], "nemesis", reports);
            faults = nemesis.Faults;
            nemesisLog.Write($"nemesis stopped after {faults} fault(s); waiting for in-flight operations");
            await CollectAsync(running, "workload", reports);
            try
            {
                await nemesis.HealAllAsync(TimeSpan.FromSeconds(60), hard.Token);
            }
            catch (TimeoutException ex)
            {
                // Liveness: a healed cluster that cannot elect or catch up is a finding too.
                reports.Add(new CheckReport("heal and settle", new CheckResult(false, ex.Message, 0)));
                nemesisLog.Write("did not settle: " + ex.Message);
            }

            foreach (var workload in workloads)
            {
                await CollectAsync([workload.FinishAsync(context, hard.Token)], workload.Name + " finish", reports);
            }

            nemesisLog.Write("final reads done");
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        reports.Add(NodeExitReport(cluster.Nodes, origin));

        long operations = 0;
        using (var history = new HistoryWriter(Path.Combine(folder, "history.jsonl")))
        {
            foreach (var workload in workloads)
            {
                workload.WriteHistory(history);
                operations += workload.OperationCount;
            }
        }

        foreach (var workload in workloads)
        {
            reports.AddRange(workload.Check());
        }

        bool valid = true;
        long checkedOps = 0;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{options.Name}: workload={options.Workload} nemesis={options.Nemesis} nodes={options.Nodes} data={options.Durable} seed={options.Seed}: {operations} operations, {faults} faults\n");
        foreach (var report in reports)
        {
            valid &= report.Result.Valid;
            checkedOps += report.Result.OperationsChecked;
            text.Append(CultureInfo.InvariantCulture, $"[{(report.Result.Valid ? "ok" : "INVALID")}] {report.Checker} ({report.Result.OperationsChecked} checked): {report.Result.Explanation}\n");
        }

        text.Append(valid ? "VALID\n" : "INVALID: see history.jsonl, nemesis.log and the node logs in this folder\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "check.txt"), text.ToString(), CancellationToken.None);
        // One line per run in artifacts/jepsen/runs.log: test runners hide the output of passing tests.
        var root = Path.GetDirectoryName(folder)!;
        await File.AppendAllTextAsync(
            Path.Combine(root, "runs.log"),
            string.Create(CultureInfo.InvariantCulture, $"{options.Name}\t{(valid ? "valid" : "INVALID")}\t{checkedOps} operations checked\t{operations} recorded\t{faults} faults\n"),
            CancellationToken.None);
        bool keep = !valid || options.KeepArtifacts;
        if (!keep)
        {
            Directory.Delete(folder, recursive: true);
        }

        var summary = text.ToString() + (keep ? $"kept: {folder}\n" : "");
        progress?.Invoke(summary);
        return new JepsenRunResult(valid, reports, operations, checkedOps, faults, folder, summary);
    }

    /// <summary>
    /// The verdict on the processes themselves: a node that exited without the nemesis killing or
    /// stopping it (a crash, a fatal storage error) makes the run invalid even when every history
    /// checks, and the report names the node, the start and the time so its log can be read there.
    /// </summary>
    public static CheckReport NodeExitReport(IReadOnlyList<JepsenNode> nodes, long originNanos)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var text = new StringBuilder();
        foreach (var node in nodes)
        {
            foreach (var exit in node.UnexpectedExits)
            {
                text.Append(text.Length == 0 ? "" : "; ").Append(CultureInfo.InvariantCulture,
                    $"{node.NodeId} (start #{exit.Start}) exited by itself with code {exit.ExitCode} at {(exit.AtNanos - originNanos) / 1e9:0.0} s, see {Path.GetFileName(node.LogPath)}");
            }
        }

        return text.Length == 0
            ? new CheckReport("node processes", new CheckResult(true, "every exit was the nemesis's or the harness's", 0))
            : new CheckReport("node processes", new CheckResult(false, text.ToString(), 0));
    }

    private static async Task CollectAsync(List<Task> tasks, string what, List<CheckReport> reports)
    {
        foreach (var task in tasks)
        {
            try
            {
                await task;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The harness itself failed: the run cannot be trusted, so it is not valid.
                reports.Add(new CheckReport(what, new CheckResult(false, $"{what} failed: {ex}", 0)));
            }
        }
    }
}
