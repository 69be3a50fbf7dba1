using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using AntiEtcd.Api;
using AntiEtcd.Client;
using AntiEtcd.Jepsen.Checkers;
using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen;

/// <summary>
/// Single-key registers: linearizable range (read), put (write) and a value-compare txn (cas) on a
/// handful of keys, every written value unique. Checked for linearizability per key.
/// </summary>
/// <remarks>
/// A worker whose operation ends Unknown takes a fresh process number (its op may still be pending
/// forever, and a process runs one op at a time), as Jepsen does with crashed processes.
/// </remarks>
public sealed class RegisterWorkload : IJepsenWorkload
{
    private readonly string _prefix;
    private readonly int _keys;
    private readonly ConcurrentQueue<RegisterOp> _history = new();
    private readonly ConcurrentQueue<WriteRecord> _writes = new();
    private long _nextValue;

    /// <summary>Creates the workload.</summary>
    /// <param name="prefix">Key prefix (keys are prefix + k0 … k(keys−1)).</param>
    /// <param name="keys">How many registers.</param>
    public RegisterWorkload(string prefix = "jepsen/register/", int keys = 5)
    {
        _prefix = prefix;
        _keys = keys;
    }

    /// <inheritdoc/>
    public string Name => "register";

    /// <inheritdoc/>
    public IReadOnlyList<string> ServerArguments => [];

    /// <summary>The recorded operations (in completion order).</summary>
    public IReadOnlyList<RegisterOp> History => [.. _history];

    /// <summary>Every attempted write and successful cas, for checking watches.</summary>
    public IReadOnlyList<WriteRecord> Writes => [.. _writes];

    /// <inheritdoc/>
    public long OperationCount => _history.Count;

    /// <inheritdoc/>
    public async Task RunAsync(WorkloadContext context, CancellationToken stop, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var workers = new Task[context.Workers];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = RunWorkerAsync(context, w, stop, cancellationToken);
        }

        await Task.WhenAll(workers);
    }

    /// <inheritdoc/>
    public async Task FinishAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        // One final linearizable read of every key from every node: a lost write shows up here at the latest.
        for (int node = 0; node < context.Cluster.Nodes.Count; node++)
        {
            using var client = context.CreateClient(node);
            for (int k = 0; k < _keys; k++)
            {
                _ = await ReadAsync(client, 1_000_000 + node, Key(k), cancellationToken);
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<CheckReport> Check() => [new("register linearizability", LinearizabilityChecker.CheckRegister(History))];

    /// <inheritdoc/>
    public void WriteHistory(HistoryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var op in _history)
        {
            writer.Write(Name, op);
        }
    }

    private string Key(int k) => _prefix + "k" + k.ToString(CultureInfo.InvariantCulture);

    private async Task RunWorkerAsync(WorkloadContext context, int worker, CancellationToken stop, CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var client = context.CreateClient(worker);
        var random = context.CreateRandom(worker, 1);
        var lastSeen = new Dictionary<string, long>(StringComparer.Ordinal);
        int process = worker;
        while (!stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var key = Key(random.Next(_keys));
            int roll = random.Next(100);
            Outcome outcome;
            bool casCompareFailed = false;
            if (roll < 50)
            {
                var (read, value) = await ReadAsync(client, process, key, cancellationToken);
                if (value is { } v)
                {
                    lastSeen[key] = v;
                }

                if (read != Outcome.Ok)
                {
                    await WorkloadContext.BackoffAsync(cancellationToken);
                }

                continue;
            }

            if (roll < 80 || !lastSeen.TryGetValue(key, out long expected))
            {
                outcome = await WriteAsync(client, process, key, cancellationToken);
            }
            else
            {
                (outcome, casCompareFailed) = await CasAsync(client, process, key, expected, cancellationToken);
            }

            if (outcome == Outcome.Unknown)
            {
                process += context.Workers;
            }

            if (outcome != Outcome.Ok && !casCompareFailed)
            {
                await WorkloadContext.BackoffAsync(cancellationToken);
            }
        }
    }

    private async Task<(Outcome Outcome, long? Value)> ReadAsync(AntiEtcdClient client, int process, string key, CancellationToken cancellationToken)
    {
        long invoke = MonotonicClock.NowNanos();
        try
        {
            var response = await client.RangeAsync(new RangeRequest { Key = Encoding.UTF8.GetBytes(key) }, cancellationToken);
            long? value = response.Kvs.Count == 0 ? null : ParseValue(response.Kvs[0].Value.Span);
            _history.Enqueue(new RegisterOp(process, key, RegisterOpKind.Read, value, null, invoke, MonotonicClock.NowNanos(), Outcome.Ok));
            return (Outcome.Ok, value);
        }
        catch (Exception ex) when (OutcomeClassifier.IsRequestFailure(ex))
        {
            _history.Enqueue(new RegisterOp(process, key, RegisterOpKind.Read, null, null, invoke, MonotonicClock.NowNanos(), OutcomeClassifier.ForRead(ex)));
            return (Outcome.Fail, null);
        }
    }

    private async Task<Outcome> WriteAsync(AntiEtcdClient client, int process, string key, CancellationToken cancellationToken)
    {
        long value = Interlocked.Increment(ref _nextValue);
        var text = value.ToString(CultureInfo.InvariantCulture);
        long invoke = MonotonicClock.NowNanos();
        try
        {
            var response = await client.PutAsync(new PutRequest { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(text) }, cancellationToken);
            _history.Enqueue(new RegisterOp(process, key, RegisterOpKind.Write, value, null, invoke, MonotonicClock.NowNanos(), Outcome.Ok));
            _writes.Enqueue(new WriteRecord(key, text, response.Header.Revision, Outcome.Ok));
            return Outcome.Ok;
        }
        catch (Exception ex) when (OutcomeClassifier.IsRequestFailure(ex))
        {
            var outcome = OutcomeClassifier.ForWrite(ex);
            Record(process, key, RegisterOpKind.Write, value, null, invoke, outcome);
            return outcome;
        }
    }

    private async Task<(Outcome Outcome, bool CompareFailed)> CasAsync(AntiEtcdClient client, int process, string key, long expected, CancellationToken cancellationToken)
    {
        long value = Interlocked.Increment(ref _nextValue);
        var text = value.ToString(CultureInfo.InvariantCulture);
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var request = new TxnRequest
        {
            Compare = [new Compare { Key = keyBytes, Target = CompareTarget.Value, Result = CompareResult.Equal, Value = Encoding.UTF8.GetBytes(expected.ToString(CultureInfo.InvariantCulture)) }],
            Success = [new RequestOp { RequestPut = new PutRequest { Key = keyBytes, Value = Encoding.UTF8.GetBytes(text) } }],
        };
        long invoke = MonotonicClock.NowNanos();
        try
        {
            var response = await client.TxnAsync(request, cancellationToken);
            long complete = MonotonicClock.NowNanos();
            if (response.Succeeded)
            {
                _history.Enqueue(new RegisterOp(process, key, RegisterOpKind.Cas, value, expected, invoke, complete, Outcome.Ok));
                _writes.Enqueue(new WriteRecord(key, text, response.Header.Revision, Outcome.Ok));
                return (Outcome.Ok, false);
            }

            // The compare failed: nothing was written.
            _history.Enqueue(new RegisterOp(process, key, RegisterOpKind.Cas, value, expected, invoke, complete, Outcome.Fail));
            _writes.Enqueue(new WriteRecord(key, text, 0, Outcome.Fail));
            return (Outcome.Fail, true);
        }
        catch (Exception ex) when (OutcomeClassifier.IsRequestFailure(ex))
        {
            var outcome = OutcomeClassifier.ForWrite(ex);
            Record(process, key, RegisterOpKind.Cas, value, expected, invoke, outcome);
            return (outcome, false);
        }
    }

    private void Record(int process, string key, RegisterOpKind kind, long value, long? expected, long invoke, Outcome outcome)
    {
        long complete = outcome == Outcome.Unknown ? long.MaxValue : MonotonicClock.NowNanos();
        _history.Enqueue(new RegisterOp(process, key, kind, value, expected, invoke, complete, outcome));
        _writes.Enqueue(new WriteRecord(key, value.ToString(CultureInfo.InvariantCulture), 0, outcome));
    }

    // A value that is not a number was never written: -1 (never written either) makes the checker flag it.
    private static long? ParseValue(ReadOnlySpan<byte> value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : -1;
}
