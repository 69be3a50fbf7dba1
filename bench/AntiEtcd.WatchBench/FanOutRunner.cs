using System.Diagnostics;
using AntiEtcd.LoadGen;

namespace AntiEtcd.WatchBench;

/// <summary>
/// One fan-out run: open every watcher connection and create its watches, send puts open loop
/// for warmup + duration, wait (bounded) until every watch has every event, then count.
/// </summary>
internal sealed class FanOutRunner
{
    private readonly WatchBenchOptions _options;

    public FanOutRunner(WatchBenchOptions options) => _options = options;

    public async Task<FanOutResult> RunAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var o = _options;

        // The hard stop: connecting, the puts, the drain and a margin; nothing outlives it.
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        hardStop.CancelAfter(TimeSpan.FromSeconds(60) + o.Warmup + o.Duration + o.Drain);
        using var stopReceiving = CancellationTokenSource.CreateLinkedTokenSource(hardStop.Token);

        var watchUri = new UriBuilder(o.Url) { Scheme = "ws", Path = "/v3/watch" }.Uri;
        var connections = new WatchConnection[o.Connections];
        var loops = new Task[o.Connections];
        try
        {
            var opening = Stopwatch.GetTimestamp();

            // Opened in small parallel groups: a thousand simultaneous handshakes only measure the accept queue.
            const int Group = 50;
            for (var first = 0; first < connections.Length; first += Group)
            {
                var opens = new List<Task<Task>>();
                for (var i = first; i < Math.Min(connections.Length, first + Group); i++)
                {
                    connections[i] = new WatchConnection(o.WatchesPerConnection);
                    opens.Add(connections[i].OpenAsync(watchUri, stopReceiving.Token));
                }

                for (var j = 0; j < opens.Count; j++)
                {
                    loops[first + j] = await opens[j];
                }
            }

            await log.WriteLineAsync($"{o.Connections} connections x {o.WatchesPerConnection} watches created in {Stopwatch.GetElapsedTime(opening).TotalSeconds:F2}s");

            using var driver = new PutDriver(o);
            var start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 10);
            var windowStart = start + (long)(o.Warmup.TotalSeconds * Stopwatch.Frequency);
            var windowEnd = windowStart + (long)(o.Duration.TotalSeconds * Stopwatch.Frequency);
            foreach (var connection in connections)
            {
                connection.SetWindow(windowStart, windowEnd);
            }

            var sampler = SampleWindowAsync(windowStart, windowEnd, hardStop.Token);
            await driver.RunAsync(start, windowStart, windowEnd, hardStop.Token);
            var (before, after, sampleSeconds) = await sampler;

            // Every acknowledged put must reach every watch; wait for the stragglers, boundedly.
            var expectedPerWatch = driver.Acked;
            var expected = expectedPerWatch * o.Connections * o.WatchesPerConnection;
            var drainStarted = Stopwatch.GetTimestamp();
            var drainEnd = drainStarted + (long)(o.Drain.TotalSeconds * Stopwatch.Frequency);
            while (Received(connections) < expected && Stopwatch.GetTimestamp() < drainEnd && !AllEnded(loops))
            {
                await Task.Delay(20, hardStop.Token);
            }

            var drainSeconds = Stopwatch.GetElapsedTime(drainStarted).TotalSeconds;

            // A short grace for anything beyond the expected count (duplicates would show up here).
            await Task.Delay(200, hardStop.Token);
            await stopReceiving.CancelAsync();
            await Task.WhenAll(loops);

            // Losses are counted two ways: against the acknowledged puts (a put that timed out on
            // the client may still have been applied, so more events than acks is not an error), and
            // by revision: the run's puts are the server's only writes, so every watch must see the
            // same unbroken run of revisions, from the first put to the last.
            long minFirst = long.MaxValue, maxLast = 0;
            foreach (var connection in connections)
            {
                for (var w = 0; w < connection.Counts.Length; w++)
                {
                    if (connection.Counts[w] > 0)
                    {
                        minFirst = Math.Min(minFirst, connection.FirstRevision[w]);
                        maxLast = Math.Max(maxLast, connection.LastRevision[w]);
                    }
                }
            }

            var latency = new LatencyHistogram();
            long received = 0, lost = 0, shortWatches = 0, notIncreasing = 0, unexpected = 0, inWindow = 0;
            string? firstError = driver.FirstError;
            foreach (var connection in connections)
            {
                latency.Add(connection.Latency);
                notIncreasing += connection.NotIncreasing;
                unexpected += connection.Unexpected;
                inWindow += connection.EventsInWindow;
                firstError ??= connection.Error;
                lost += connection.Gaps;
                for (var w = 0; w < connection.Counts.Length; w++)
                {
                    var count = connection.Counts[w];
                    received += count;
                    var missing = count == 0
                        ? Math.Max(expectedPerWatch, maxLast - minFirst + 1)
                        : (connection.FirstRevision[w] - minFirst) + (maxLast - connection.LastRevision[w]);
                    if (count < expectedPerWatch)
                    {
                        missing = Math.Max(missing, expectedPerWatch - count);
                    }

                    if (missing > 0)
                    {
                        shortWatches++;
                        lost += missing;
                    }
                }
            }

            var windowSeconds = o.Duration.TotalSeconds;
            var scale = sampleSeconds > 0 ? windowSeconds / sampleSeconds : 1;
            var serverCpu = after.ServerCpu is { } a && before.ServerCpu is { } b ? (a - b).TotalSeconds * scale : (double?)null;
            const double NsPerMs = 1e6;
            return new FanOutResult(
                o.Label,
                o.Connections,
                o.WatchesPerConnection,
                o.Rate,
                windowSeconds,
                driver.Sent,
                driver.Acked,
                driver.Non200 + driver.Failures,
                driver.PutLatency.ValueAtPercentile(50) / NsPerMs,
                driver.PutLatency.ValueAtPercentile(99) / NsPerMs,
                driver.MaxScheduleLagMs,
                expected,
                received,
                lost,
                shortWatches,
                notIncreasing,
                unexpected,
                inWindow / windowSeconds,
                latency.Count,
                latency.ValueAtPercentile(50) / NsPerMs,
                latency.ValueAtPercentile(90) / NsPerMs,
                latency.ValueAtPercentile(99) / NsPerMs,
                latency.MaxNanoseconds / NsPerMs,
                drainSeconds,
                (after.ClientCpu - before.ClientCpu).TotalSeconds * scale,
                serverCpu,
                after.ServerRssBytes,
                firstError);
        }
        finally
        {
            await stopReceiving.CancelAsync();
            foreach (var connection in connections)
            {
                connection?.Dispose();
            }
        }
    }

    private async Task<(ProcessSample Before, ProcessSample After, double Seconds)> SampleWindowAsync(long windowStart, long windowEnd, CancellationToken cancellationToken)
    {
        await DelayUntilAsync(windowStart, cancellationToken);
        var before = ProcessSample.Take(_options.ServerPid);
        var sampledAt = Stopwatch.GetTimestamp();
        await DelayUntilAsync(windowEnd, cancellationToken);
        var after = ProcessSample.Take(_options.ServerPid);
        return (before, after, Stopwatch.GetElapsedTime(sampledAt).TotalSeconds);
    }

    private static Task DelayUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        return wait > TimeSpan.Zero ? Task.Delay(wait, cancellationToken) : Task.CompletedTask;
    }

    private static long Received(WatchConnection[] connections)
    {
        long total = 0;
        foreach (var connection in connections)
        {
            total += connection.EventsReceived;
        }

        return total;
    }

    private static bool AllEnded(Task[] loops)
    {
        foreach (var loop in loops)
        {
            if (!loop.IsCompleted)
            {
                return false;
            }
        }

        return true;
    }
}
