using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using AntiEtcd.Api;
using AntiEtcd.Client;
using AntiEtcd.Jepsen.Checkers;
using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen;

/// <summary>
/// Elle's list-append over etcd txns: each key holds a comma list of unique numbers; a transaction
/// reads and appends to 1–4 distinct keys. Checked for strict serializability by <c>ListAppendChecker</c>.
/// </summary>
/// <remarks>
/// <para>
/// Encoding (optimistic concurrency): first one linearizable range over the whole key set gives every
/// list and its <c>mod_revision</c>. Then ONE txn: compare <c>mod_revision == seen</c> (0 when absent)
/// for every key it appends to; success branch, in micro-op order: a put of the seen list plus the new
/// element for an append, a range for a read (a range sees earlier puts of the same txn, SPEC §4.4).
/// If the compare fails nothing happened: the op is recorded Fail. Only the txn is the recorded
/// operation (its invoke is when the txn is sent); the preliminary range is not, because the compares
/// make the txn correct whatever happened in between.
/// </para>
/// <para>A txn with only reads has no compare and is a read-only (linearizable) txn.</para>
/// </remarks>
public sealed class ListAppendWorkload : IJepsenWorkload
{
    private readonly string _prefix;
    private readonly int _keys;
    private readonly ConcurrentQueue<TxnOp> _history = new();
    private long _nextElement;

    /// <summary>Creates the workload.</summary>
    /// <param name="prefix">Key prefix.</param>
    /// <param name="keys">How many lists.</param>
    public ListAppendWorkload(string prefix = "jepsen/append/", int keys = 8)
    {
        _prefix = prefix;
        _keys = keys;
    }

    /// <inheritdoc/>
    public string Name => "append";

    /// <inheritdoc/>
    public IReadOnlyList<string> ServerArguments => [];

    /// <summary>The recorded transactions.</summary>
    public IReadOnlyList<TxnOp> History => [.. _history];

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
        // A final read of every list from every node: an append lost late shows up here.
        var plan = new List<(MicroOpKind Kind, int Key)>();
        for (int k = 0; k < _keys; k++)
        {
            plan.Add((MicroOpKind.Read, k));
        }

        for (int node = 0; node < context.Cluster.Nodes.Count; node++)
        {
            using var client = context.CreateClient(node);
            _ = await RunTxnAsync(client, 1_000_000 + node, plan, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<CheckReport> Check() => [new("list-append strict serializability", ListAppendChecker.Check(History))];

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
        var random = context.CreateRandom(worker, 2);
        int process = worker;
        var keys = new int[_keys];
        var plan = new List<(MicroOpKind Kind, int Key)>(4);
        while (!stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            for (int i = 0; i < keys.Length; i++)
            {
                keys[i] = i;
            }

            random.Shuffle(keys);
            int count = 1 + random.Next(Math.Min(4, _keys));
            plan.Clear();
            for (int i = 0; i < count; i++)
            {
                plan.Add((random.Next(2) == 0 ? MicroOpKind.Read : MicroOpKind.Append, keys[i]));
            }

            var (outcome, compareFailed) = await RunTxnAsync(client, process, plan, cancellationToken);
            if (outcome == Outcome.Unknown)
            {
                process += context.Workers;
            }

            if (outcome != Outcome.Ok && !compareFailed)
            {
                await WorkloadContext.BackoffAsync(cancellationToken);
            }
        }
    }

    private async Task<(Outcome? Outcome, bool CompareFailed)> RunTxnAsync(AntiEtcdClient client, int process, List<(MicroOpKind Kind, int Key)> plan, CancellationToken cancellationToken)
    {
        // Read phase: one consistent snapshot of every list with its mod_revision.
        var seen = new Dictionary<string, (List<long> List, long ModRevision)>(StringComparer.Ordinal);
        bool hasAppend = false;
        foreach (var (kind, _) in plan)
        {
            hasAppend |= kind == MicroOpKind.Append;
        }

        if (hasAppend)
        {
            try
            {
                var prefix = Encoding.UTF8.GetBytes(_prefix);
                var end = (byte[])prefix.Clone();
                end[^1]++;
                var snapshot = await client.RangeAsync(new RangeRequest { Key = prefix, RangeEnd = end }, cancellationToken);
                foreach (var kv in snapshot.Kvs)
                {
                    seen[Encoding.UTF8.GetString(kv.Key.Span)] = (ParseList(kv.Value.Span), kv.ModRevision);
                }
            }
            catch (Exception ex) when (OutcomeClassifier.IsRequestFailure(ex))
            {
                return (null, false);
            }
        }

        var micro = new MicroOp[plan.Count];
        var compares = new List<Compare>();
        var success = new List<RequestOp>();
        for (int i = 0; i < plan.Count; i++)
        {
            var key = Key(plan[i].Key);
            var keyBytes = Encoding.UTF8.GetBytes(key);
            if (plan[i].Kind == MicroOpKind.Append)
            {
                long element = Interlocked.Increment(ref _nextElement);
                micro[i] = new MicroOp(MicroOpKind.Append, key, element, null);
                var (list, mod) = seen.TryGetValue(key, out var s) ? s : ([], 0L);
                compares.Add(new Compare { Key = keyBytes, Target = CompareTarget.Mod, Result = CompareResult.Equal, ModRevision = mod });
                success.Add(new RequestOp { RequestPut = new PutRequest { Key = keyBytes, Value = Encoding.UTF8.GetBytes(FormatList(list, element)) } });
            }
            else
            {
                micro[i] = new MicroOp(MicroOpKind.Read, key, 0, null);
                success.Add(new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } });
            }
        }

        var request = new TxnRequest { Compare = compares, Success = success };
        long invoke = MonotonicClock.NowNanos();
        try
        {
            var response = await client.TxnAsync(request, cancellationToken);
            long complete = MonotonicClock.NowNanos();
            if (!response.Succeeded)
            {
                _history.Enqueue(new TxnOp(process, micro, invoke, complete, Outcome.Fail));
                return (Outcome.Fail, true);
            }

            for (int i = 0; i < micro.Length; i++)
            {
                if (micro[i].Kind == MicroOpKind.Read)
                {
                    var range = i < response.Responses.Count ? response.Responses[i].ResponseRange : null;
                    IReadOnlyList<long> list = range is null || range.Kvs.Count == 0 ? [] : ParseList(range.Kvs[0].Value.Span);
                    micro[i] = micro[i] with { ReadResult = list };
                }
            }

            _history.Enqueue(new TxnOp(process, micro, invoke, complete, Outcome.Ok));
            return (Outcome.Ok, false);
        }
        catch (Exception ex) when (OutcomeClassifier.IsRequestFailure(ex))
        {
            bool readOnly = compares.Count == 0;
            var outcome = readOnly ? OutcomeClassifier.ForRead(ex) : OutcomeClassifier.ForWrite(ex);
            _history.Enqueue(new TxnOp(process, micro, invoke, outcome == Outcome.Unknown ? long.MaxValue : MonotonicClock.NowNanos(), outcome));
            return (outcome, false);
        }
    }

    private static string FormatList(List<long> list, long element)
    {
        var text = new StringBuilder();
        foreach (var e in list)
        {
            text.Append(e.ToString(CultureInfo.InvariantCulture)).Append(',');
        }

        return text.Append(element.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    // An element that is not a number was never appended: -1 makes the checker flag it.
    private static List<long> ParseList(ReadOnlySpan<byte> value)
    {
        var list = new List<long>();
        var text = Encoding.UTF8.GetString(value);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            list.Add(long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out long e) ? e : -1);
        }

        return list;
    }
}
