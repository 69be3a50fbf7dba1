using System.Text;
using AntiEtcd.Api;
using AntiEtcd.Jepsen.Checkers;
using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen;

/// <summary>
/// Watches checked against writes: the register workload writes under a prefix while one watcher per
/// node (at most <see cref="MaxWatchers"/>) watches that prefix from the revision before the first
/// write. Checks: the register history (linearizability) and every watch against the writes
/// (ordered, unique, no phantom, complete up to its end revision, same event on every watcher).
/// </summary>
/// <remarks>
/// Automatic compaction is turned off on the nodes (<c>--compact_revisions 0</c>): a watcher that was
/// away during a long fault could otherwise be cancelled as compacted, which ends its completeness claim.
/// </remarks>
public sealed class WatchWorkload : IJepsenWorkload
{
    /// <summary>Watchers at most (they cost CPU on the two-core machines).</summary>
    public const int MaxWatchers = 3;

    private const string Prefix = "jepsen/watch/";
    private readonly RegisterWorkload _register = new(Prefix, 5);
    private readonly List<Watcher> _watchers = [];
    private readonly List<Task> _running = [];
    private CancellationTokenSource? _watchStop;

    /// <inheritdoc/>
    public string Name => "watch";

    /// <inheritdoc/>
    public IReadOnlyList<string> ServerArguments => ["--compact_revisions", "0"];

    /// <summary>What each watcher saw (after <see cref="FinishAsync"/>).</summary>
    public IReadOnlyList<WatchRecord> Watches
    {
        get
        {
            var records = new List<WatchRecord>();
            foreach (var watcher in _watchers)
            {
                records.Add(watcher.ToRecord());
            }

            return records;
        }
    }

    /// <inheritdoc/>
    public long OperationCount
    {
        get
        {
            long events = 0;
            foreach (var watcher in _watchers)
            {
                events += watcher.ToRecord().Events.Count;
            }

            return _register.OperationCount + events;
        }
    }

    /// <inheritdoc/>
    public async Task RunAsync(WorkloadContext context, CancellationToken stop, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        long start = await CurrentRevisionAsync(context, cancellationToken) + 1;
        _watchStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int count = Math.Min(MaxWatchers, context.Cluster.Nodes.Count);
        for (int i = 0; i < count; i++)
        {
            var watcher = new Watcher(i, Prefix, start);
            _watchers.Add(watcher);
            _running.Add(RunWatcherAsync(context, i, watcher, _watchStop.Token));
        }

        await _register.RunAsync(context, stop, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task FinishAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await _register.FinishAsync(context, cancellationToken);
        long final = await CurrentRevisionAsync(context, cancellationToken);
        foreach (var watcher in _watchers)
        {
            watcher.FinishAt(final);
        }

        // Catch-up is bounded: a watcher that cannot reach the final revision in 30 s keeps its lower end mark.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        var all = Task.WhenAll(_running);
        try
        {
            await all.WaitAsync(deadline.Token);
        }
        catch (TimeoutException)
        {
            // Reported through EndRevision.
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Reported through EndRevision.
        }

        if (_watchStop is not null)
        {
            await _watchStop.CancelAsync();
        }

        await all;
        _watchStop?.Dispose();
    }

    /// <inheritdoc/>
    public IReadOnlyList<CheckReport> Check()
    {
        var reports = new List<CheckReport>(_register.Check());
        reports.Add(new CheckReport("watch", WatchChecker.Check(_register.Writes, Watches)));
        return reports;
    }

    /// <inheritdoc/>
    public void WriteHistory(HistoryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _register.WriteHistory(writer);
        foreach (var write in _register.Writes)
        {
            writer.Write(Name, write);
        }

        foreach (var watch in Watches)
        {
            writer.Write(Name, watch);
        }
    }

    private static async Task RunWatcherAsync(WorkloadContext context, int index, Watcher watcher, CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var client = context.CreateClient(index);
        try
        {
            await watcher.RunAsync(client, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopped by the finishing phase.
        }
    }

    private static async Task<long> CurrentRevisionAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient(0);
        long deadline = MonotonicClock.NowNanos() + 30_000_000_000L;
        while (true)
        {
            try
            {
                var response = await client.RangeAsync(new RangeRequest { Key = Encoding.UTF8.GetBytes(Prefix), CountOnly = true }, cancellationToken);
                return response.Header.Revision;
            }
            catch (Exception ex) when (OutcomeClassifier.IsRequestFailure(ex) && !cancellationToken.IsCancellationRequested && MonotonicClock.NowNanos() < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }
}
