using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using AntiEtcd.Api;
using AntiEtcd.Client;
using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen;

/// <summary>
/// Leases: each worker cycles grant (client-chosen ID, so even an Unknown grant can be followed),
/// put a key attached to it, a few keepalives, then either revoke or let it expire (polling
/// time-to-live), then a read of the key. Checked by <see cref="LeaseChecker"/>.
/// </summary>
public sealed class LeaseWorkload : IJepsenWorkload
{
    /// <summary>Processes at or above this number are the finishing phase (final expiry checks).</summary>
    public const int FinalProcess = 1_000_000;

    private const string Prefix = "jepsen/lease/";
    private readonly ConcurrentQueue<LeaseOp> _history = new();
    private readonly ConcurrentDictionary<long, string?> _leases = new();
    private readonly long _ttl;
    private long _nextLease;

    /// <summary>Creates the workload.</summary>
    /// <param name="ttl">Requested TTL in seconds (the server raises it to its minimum, 2 s by default).</param>
    public LeaseWorkload(long ttl = 3)
    {
        _ttl = ttl;
    }

    /// <inheritdoc/>
    public string Name => "lease";

    /// <inheritdoc/>
    public IReadOnlyList<string> ServerArguments => [];

    /// <summary>The recorded operations.</summary>
    public IReadOnlyList<LeaseOp> History => [.. _history];

    /// <inheritdoc/>
    public long OperationCount => _history.Count;

    /// <inheritdoc/>
    public async Task RunAsync(WorkloadContext context, CancellationToken stop, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        // IDs unique per run and far from server-chosen ones.
        Interlocked.Exchange(ref _nextLease, ((long)(uint)context.Seed << 20) + 1_000_000_007L);
        var workers = new Task[context.Workers];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = RunWorkerAsync(context, w, stop, cancellationToken);
        }

        await Task.WhenAll(workers);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Nobody keeps any lease alive any more, so every lease must be gone within its TTL plus the time
    /// a new leader needs (it restarts every deadline, SPEC §8.6): poll time-to-live until -1, for at
    /// most TTL + 20 s, then read every key that may have been attached.
    /// </remarks>
    public async Task FinishAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var client = context.CreateClient(0);
        long deadline = MonotonicClock.NowNanos() + (_ttl + 20) * 1_000_000_000L;
        foreach (var (lease, key) in _leases)
        {
            while (true)
            {
                var (outcome, ttl) = await TimeToLiveAsync(client, FinalProcess, lease, cancellationToken);
                if ((outcome == Outcome.Ok && ttl == -1) || MonotonicClock.NowNanos() > deadline)
                {
                    break;
                }

                await Task.Delay(250, cancellationToken);
            }

            if (key is not null)
            {
                await ReadKeyAsync(client, FinalProcess, lease, key, cancellationToken);
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<CheckReport> Check() => [new("lease", LeaseChecker.Check(History))];

    /// <inheritdoc/>
    public void WriteHistory(HistoryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var op in _history)
        {
            writer.Write(Name, op);
        }
    }

    private async Task RunWorkerAsync(WorkloadContext context, int worker, CancellationToken stop, CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var client = context.CreateClient(worker);
        var random = context.CreateRandom(worker, 3);
        int process = worker;
        int cycle = 0;
        while (!stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            long lease = Interlocked.Increment(ref _nextLease);
            string key = Prefix + worker.ToString(CultureInfo.InvariantCulture) + "-" + (cycle++).ToString(CultureInfo.InvariantCulture);
            var (grant, ttl) = await GrantAsync(client, process, lease, cancellationToken);
            if (grant != Outcome.Fail)
            {
                _leases[lease] = null;
            }

            if (grant != Outcome.Ok)
            {
                process += grant == Outcome.Unknown ? context.Workers : 0;
                await WorkloadContext.BackoffAsync(cancellationToken);
                continue;
            }

            var attach = await AttachAsync(client, process, lease, key, cancellationToken);
            if (attach != Outcome.Fail)
            {
                _leases[lease] = key;
            }

            if (attach == Outcome.Unknown)
            {
                process += context.Workers;
            }

            // Keepalives at a third of the TTL, so the lease stays alive while they succeed.
            int keepalives = 1 + random.Next(4);
            for (int i = 0; i < keepalives && !stop.IsCancellationRequested; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(ttl * 1000 / 3), cancellationToken);
                await KeepAliveAsync(client, process, lease, cancellationToken);
            }

            if (random.Next(2) == 0)
            {
                var revoke = await RevokeAsync(client, process, lease, cancellationToken);
                if (revoke == Outcome.Unknown)
                {
                    process += context.Workers;
                }
            }
            else
            {
                // Let it expire: poll time-to-live until gone (bounded; the final phase checks the rest).
                long deadline = MonotonicClock.NowNanos() + (ttl + 10) * 1_000_000_000L;
                while (!stop.IsCancellationRequested && MonotonicClock.NowNanos() < deadline)
                {
                    await Task.Delay(500, cancellationToken);
                    var (outcome, left) = await TimeToLiveAsync(client, process, lease, cancellationToken);
                    if (outcome == Outcome.Ok && left == -1)
                    {
                        break;
                    }
                }
            }

            await ReadKeyAsync(client, process, lease, key, cancellationToken);
        }
    }

    private async Task<(Outcome Outcome, long Ttl)> GrantAsync(AntiEtcdClient client, int process, long lease, CancellationToken cancellationToken)
    {
        long invoke = MonotonicClock.NowNanos();
        try
        {
            var response = await client.LeaseGrantAsync(new LeaseGrantRequest { Id = lease, Ttl = _ttl }, cancellationToken);
            _history.Enqueue(new LeaseOp(process, LeaseOpKind.Grant, lease, null, response.Ttl, false, invoke, MonotonicClock.NowNanos(), Outcome.Ok));
            return (Outcome.Ok, response.Ttl);
        }
        catch (Exception ex) when (OutcomeClassifier.IsRequestFailure(ex))
        {
            var outcome = OutcomeClassifier.ForWrite(ex);
            Record(process, LeaseOpKind.Grant, lease, null, invoke, outcome);
            return (outcome, 0);
        }
    }

    private async Task<Outcome> AttachAsync(AntiEtcdClient client, int process, long lease, string key, CancellationToken cancellationToken)
    {
        long invoke = MonotonicClock.NowNanos();
        try
        {
            await client.PutAsync(new PutRequest { Key = Encoding.UTF8.GetBytes(key), Value = "v"u8.ToArray(), Lease = lease }, cancellationToken);
            _history.Enqueue(new LeaseOp(process, LeaseOpKind.Attach, lease, key, 0, true, invoke, MonotonicClock.NowNanos(), Outcome.Ok));
            return Outcome.Ok;
        }
        catch (Exception ex) when (OutcomeClassifier.IsRequestFailure(ex))
        {
            var outcome = OutcomeClassifier.ForWrite(ex);
            Record(process, LeaseOpKind.Attach, lease, key, invoke, outcome);
            return outcome;
        }
    }

    private async Task KeepAliveAsync(AntiEtcdClient client, int process, long lease, CancellationToken cancellationToken)
    {
        long invoke = MonotonicClock.NowNanos();
        try
        {
            var response = await client.LeaseKeepAliveAsync(new LeaseKeepAliveRequest { Id = lease }, cancellationToken);
            _history.Enqueue(new LeaseOp(process, LeaseOpKind.KeepAlive, lease, null, response.Ttl, false, invoke, MonotonicClock.NowNanos(), Outcome.Ok));
        }
        catch (Exception ex) when (OutcomeClassifier.IsRequestFailure(ex))
        {
            // A keepalive that failed may still have renewed the lease: Unknown, never evidence either way.
            Record(process, LeaseOpKind.KeepAlive, lease, null, invoke, Outcome.Unknown);
        }
    }

    private async Task<Outcome> RevokeAsync(AntiEtcdClient client, int process, long lease, CancellationToken cancellationToken)
    {
        long invoke = MonotonicClock.NowNanos();
        try
        {
            await client.LeaseRevokeAsync(new LeaseRevokeRequest { Id = lease }, cancellationToken);
            _history.Enqueue(new LeaseOp(process, LeaseOpKind.Revoke, lease, null, 0, false, invoke, MonotonicClock.NowNanos(), Outcome.Ok));
            return Outcome.Ok;
        }
        catch (Exception ex) when (OutcomeClassifier.IsRequestFailure(ex))
        {
            var outcome = OutcomeClassifier.ForWrite(ex);
            Record(process, LeaseOpKind.Revoke, lease, null, invoke, outcome);
            return outcome;
        }
    }

    private async Task<(Outcome Outcome, long Ttl)> TimeToLiveAsync(AntiEtcdClient client, int process, long lease, CancellationToken cancellationToken)
    {
        long invoke = MonotonicClock.NowNanos();
        try
        {
            var response = await client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { Id = lease }, cancellationToken);
            _history.Enqueue(new LeaseOp(process, LeaseOpKind.TimeToLive, lease, null, response.Ttl, false, invoke, MonotonicClock.NowNanos(), Outcome.Ok));
            return (Outcome.Ok, response.Ttl);
        }
        catch (Exception ex) when (OutcomeClassifier.IsRequestFailure(ex))
        {
            Record(process, LeaseOpKind.TimeToLive, lease, null, invoke, Outcome.Fail);
            return (Outcome.Fail, 0);
        }
    }

    private async Task ReadKeyAsync(AntiEtcdClient client, int process, long lease, string key, CancellationToken cancellationToken)
    {
        long invoke = MonotonicClock.NowNanos();
        try
        {
            var response = await client.RangeAsync(new RangeRequest { Key = Encoding.UTF8.GetBytes(key) }, cancellationToken);
            bool present = response.Kvs.Count > 0 && response.Kvs[0].Lease == lease;
            _history.Enqueue(new LeaseOp(process, LeaseOpKind.ReadKey, lease, key, 0, present, invoke, MonotonicClock.NowNanos(), Outcome.Ok));
        }
        catch (Exception ex) when (OutcomeClassifier.IsRequestFailure(ex))
        {
            Record(process, LeaseOpKind.ReadKey, lease, key, invoke, Outcome.Fail);
        }
    }

    private void Record(int process, LeaseOpKind kind, long lease, string? key, long invoke, Outcome outcome) =>
        _history.Enqueue(new LeaseOp(process, kind, lease, key, 0, false, invoke, outcome == Outcome.Unknown ? long.MaxValue : MonotonicClock.NowNanos(), outcome));
}
