using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace AntiEtcd.LoadGen;

/// <summary>
/// A closed-loop run: N workers, each sending one request at a time on its own keep-alive
/// connection, for warmup + duration, then stopping by itself.
/// </summary>
/// <remarks>
/// One <see cref="HttpClient"/> with <c>MaxConnectionsPerServer = N</c> and connections that never
/// expire: N sequential workers keep exactly N connections busy. A request counts when it both
/// started and finished inside the measured window; its latency runs from just before the send to
/// the last byte of the response body.
/// </remarks>
internal sealed class LoadRunner : IDisposable
{
    /// <summary>Consecutive failures after which a worker decides the server is gone.</summary>
    private const int GiveUpAfterFailures = 1000;

    private static readonly MediaTypeHeaderValue s_json = new("application/json");

    private readonly LoadGenOptions _options;
    private readonly HttpClient _client;
    private readonly RequestCorpus _corpus;
    private readonly Uri _target;
    private readonly byte[][] _bodies;

    public LoadRunner(LoadGenOptions options)
    {
        _options = options;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _client = new HttpClient(handler)
        {
            // The run's own deadline bounds every request (see RunAsync); no per-request timer.
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        _corpus = RequestCorpus.Create(options.Keys, options.ValueSize, options.Serializable);
        var path = options.Workload == Workload.Range ? "v3/kv/range" : "v3/kv/put";
        _target = new Uri(options.Url, path);
        _bodies = options.Workload == Workload.Range ? _corpus.RangeBodies : _corpus.PutBodies;
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// Checks the server answers the workload's request with 200, and for <c>range</c> writes every
    /// key first (sequentially, on one connection) so each range finds its key.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server is unreachable or does not answer 200.</exception>
    public async Task PrepareAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var putUri = new Uri(_options.Url, "v3/kv/put");
        if (_options.Preload)
        {
            await PreloadAsync(log, cancellationToken);
            if (_options.PreloadOnly)
            {
                return;
            }
        }

        if (_options.Workload == Workload.Range && !_options.Preload)
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < _corpus.PutBodies.Length; i++)
            {
                await ExpectOkAsync(putUri, _corpus.PutBodies[i], cancellationToken);
            }

            await log.WriteLineAsync($"preloaded {_corpus.PutBodies.Length} keys in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1}s");
            await ExpectFoundAsync(_corpus.RangeBodies[0], cancellationToken);
        }
        else if (_options.Workload == Workload.Range)
        {
            await ExpectFoundAsync(_corpus.RangeBodies[^1], cancellationToken);
        }
        else
        {
            await ExpectOkAsync(_target, _bodies[0], cancellationToken);
        }
    }

    /// <summary>
    /// Writes every key of the key set once, fast: txns of <see cref="LoadGenOptions.PreloadBatch"/>
    /// puts, one txn at a time on each of the run's connections, so a million keys take seconds
    /// instead of a million round trips.
    /// </summary>
    private async Task PreloadAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var txnUri = new Uri(_options.Url, "v3/kv/txn");
        var puts = _corpus.PutBodies;
        var batches = (puts.Length + LoadGenOptions.PreloadBatch - 1) / LoadGenOptions.PreloadBatch;
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        var workers = new Task[Math.Min(_options.Connections, batches)];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(
                async () =>
                {
                    int batch;
                    while ((batch = Interlocked.Increment(ref next)) < batches)
                    {
                        var first = batch * LoadGenOptions.PreloadBatch;
                        var body = TxnOfPuts(puts, first, Math.Min(puts.Length, first + LoadGenOptions.PreloadBatch));
                        await ExpectOkAsync(txnUri, body, cancellationToken);
                    }
                },
                cancellationToken);
        }

        await Task.WhenAll(workers);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await log.WriteLineAsync($"preloaded {puts.Length} keys in {seconds:F2}s ({puts.Length / seconds:F0} keys/s, {batches} txns of <= {LoadGenOptions.PreloadBatch} puts over {workers.Length} connections)");
    }

    public async Task<RunResult> RunAsync(CancellationToken cancellationToken)
    {
        var connections = _options.Connections;
        var start = Stopwatch.GetTimestamp();
        var windowStart = start + ToTimestampTicks(_options.Warmup);
        var windowEnd = windowStart + ToTimestampTicks(_options.Duration);

        // The hard stop: whatever is still in flight this long after the window is abandoned.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Warmup + _options.Duration + _options.Grace);

        var states = new WorkerState[connections];
        var workers = new Task[connections];
        for (var i = 0; i < connections; i++)
        {
            var state = states[i] = new WorkerState();
            var seed = i + 1;
            workers[i] = Task.Run(() => WorkerAsync(state, seed, windowStart, windowEnd, deadline.Token), CancellationToken.None);
        }

        // Sample CPU and allocations at the window's edges; timer slack (~1 ms) is noise over seconds.
        await Task.Delay(_options.Warmup, cancellationToken);
        var before = ProcessSample.Take(_options.ServerPid);
        var clusterBefore = ClusterSample.Take(_options.ClusterPids);
        var sampledAt = Stopwatch.GetTimestamp();
        var untilEnd = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), windowEnd);
        await Task.Delay(untilEnd > TimeSpan.Zero ? untilEnd : TimeSpan.Zero, cancellationToken);
        var after = ProcessSample.Take(_options.ServerPid);
        var clusterAfter = ClusterSample.Take(_options.ClusterPids);
        var sampleSeconds = Stopwatch.GetElapsedTime(sampledAt).TotalSeconds;

        await Task.WhenAll(workers);

        var latency = new LatencyHistogram();
        long non200 = 0;
        long failures = 0;
        string? firstError = null;
        var gaveUp = false;
        foreach (var state in states)
        {
            latency.Add(state.Latency);
            non200 += state.Non200;
            failures += state.Failures;
            firstError ??= state.FirstError;
            gaveUp |= state.GaveUp;
        }

        if (gaveUp)
        {
            firstError = $"gave up after {GiveUpAfterFailures} consecutive failures: {firstError}";
        }

        var windowSeconds = Stopwatch.GetElapsedTime(windowStart, windowEnd).TotalSeconds;

        // CPU is sampled over (almost exactly) the window; scale to it so per-request figures match.
        var scale = sampleSeconds > 0 ? windowSeconds / sampleSeconds : 1;
        var serverCpu = after.ServerCpu is { } a && before.ServerCpu is { } b ? (a - b).TotalSeconds * scale : (double?)null;
        var (clusterCpu, busiestCpu) = ClusterSample.CpuBetween(clusterBefore, clusterAfter);
        const double NsPerMs = 1e6;
        return new RunResult(
            _options.Label,
            _options.Workload == Workload.Range && _options.Serializable ? "range-serializable" : _options.Workload.ToString().ToLowerInvariant(),
            _options.Url.ToString(),
            connections,
            _options.Keys,
            _options.ValueSize,
            windowSeconds,
            latency.Count,
            latency.Count / windowSeconds,
            latency.Count > 0 ? latency.SumNanoseconds / latency.Count / NsPerMs : 0,
            latency.ValueAtPercentile(50) / NsPerMs,
            latency.ValueAtPercentile(90) / NsPerMs,
            latency.ValueAtPercentile(99) / NsPerMs,
            latency.MaxNanoseconds / NsPerMs,
            non200,
            failures,
            firstError,
            (after.ClientCpu - before.ClientCpu).TotalSeconds * scale,
            after.ClientAllocatedBytes - before.ClientAllocatedBytes,
            after.ClientGen0Collections - before.ClientGen0Collections,
            serverCpu,
            after.ServerRssBytes,
            clusterCpu * scale,
            busiestCpu * scale,
            ClusterSample.IdleBetween(clusterBefore, clusterAfter));
    }

    private async Task WorkerAsync(WorkerState state, int seed, long windowStart, long windowEnd, CancellationToken deadline)
    {
        var random = new Random(seed);
        var bodies = _bodies;
        var buffer = new byte[16 * 1024];
        var consecutiveFailures = 0;
        var nsPerTick = 1e9 / Stopwatch.Frequency;
        while (true)
        {
            var sent = Stopwatch.GetTimestamp();
            if (sent >= windowEnd)
            {
                return;
            }

            var body = bodies[random.Next(bodies.Length)];
            var status = 0;
            string? error = null;
            var received = 0;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _target);
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = s_json;
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline);
                status = (int)response.StatusCode;
                await using var stream = await response.Content.ReadAsStreamAsync(deadline);
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory(received), deadline)) > 0)
                {
                    // Keep the start of the body for an error message; drain the rest.
                    received = Math.Min(received + read, 512);
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                error = "abandoned at the end of the run";
            }
            catch (HttpRequestException ex)
            {
                error = ex.Message;
            }
            catch (IOException ex)
            {
                error = ex.Message;
            }

            var done = Stopwatch.GetTimestamp();
            var inWindow = sent >= windowStart && done <= windowEnd;
            if (error is not null)
            {
                if (sent >= windowStart)
                {
                    state.Failures++;
                    state.FirstError ??= error;
                }

                if (++consecutiveFailures >= GiveUpAfterFailures || deadline.IsCancellationRequested)
                {
                    state.GaveUp = !deadline.IsCancellationRequested;
                    return;
                }

                continue;
            }

            consecutiveFailures = 0;
            if (!inWindow)
            {
                continue;
            }

            if (status == 200)
            {
                state.Latency.Record((long)((done - sent) * nsPerTick));
            }
            else
            {
                state.Non200++;
                state.FirstError ??= $"HTTP {status}: {Truncate(Encoding.UTF8.GetString(buffer, 0, received))}";
            }
        }
    }

    /// <summary><c>{"success":[{"request_put":PUT},…]}</c> of the put bodies [first, end).</summary>
    private static byte[] TxnOfPuts(byte[][] puts, int first, int end)
    {
        using var body = new MemoryStream();
        body.Write("{\"success\":["u8);
        for (var i = first; i < end; i++)
        {
            body.Write(i == first ? "{\"request_put\":"u8 : ",{\"request_put\":"u8);
            body.Write(puts[i]);
            body.Write("}"u8);
        }

        body.Write("]}"u8);
        return body.ToArray();
    }

    /// <summary>
    /// Checks a range of a preloaded key finds it. A serializable range may be sent to a follower
    /// that has not applied the preload yet (its puts were acknowledged by the leader), so it is
    /// asked again for up to 5 s before the preload is declared lost.
    /// </summary>
    private async Task ExpectFoundAsync(byte[] rangeBody, CancellationToken cancellationToken)
    {
        var attempts = _options.Serializable ? 100 : 1;
        var body = "";
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }

            body = await ExpectOkAsync(_target, rangeBody, cancellationToken);
            if (body.Contains("\"kvs\"", StringComparison.Ordinal))
            {
                return;
            }
        }

        throw new InvalidOperationException($"a range of a preloaded key found nothing: {Truncate(body)}");
    }

    private async Task<string> ExpectOkAsync(Uri uri, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = s_json;
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"POST {uri} failed: {ex.Message}", ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"POST {uri} answered {(int)response.StatusCode}: {Truncate(text)}");
            }

            return text;
        }
    }

    private static long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
