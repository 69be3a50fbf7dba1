using System.Globalization;
using System.Text;
using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen;

/// <summary>
/// Checks a lease history (SPEC §5, §8.6). Times are monotonic client times; "gone" evidence is an Ok
/// keepalive answering TTL 0, an Ok time-to-live answering -1, or an Ok read not finding the key
/// attached by an Ok put that completed before the read was sent.
/// </summary>
/// <remarks>
/// Rules, per lease:
/// <list type="number">
/// <item>No early expiry: the server sets the deadline to (processing time + TTL) on grant and on
/// each keepalive, and processing happens after the client sent the request, so the lease cannot be
/// gone before max(invoke + TTL) over Ok grants and Ok keepalives with TTL &gt; 0. Gone evidence that
/// completed before that bound is a violation, unless a revoke (Ok or Unknown) was sent before it.</item>
/// <item>Revoke is final: after an Ok revoke completed, an Ok read sent later does not find the key,
/// an Ok keepalive answers 0 and an Ok time-to-live answers -1.</item>
/// <item>Expiry is final: after gone evidence completed, an Ok read sent later does not find the key
/// and no keepalive renews the lease (a late keepalive never revives a lease).</item>
/// <item>Expiry happens: in the finishing phase (processes ≥ <see cref="LeaseWorkload.FinalProcess"/>,
/// after heal and settle, nobody keeping leases alive) the last Ok time-to-live of every lease answers
/// -1 and its key is gone.</item>
/// </list>
/// Unknown and failed keepalives, time-to-lives and reads carry no evidence.
/// </remarks>
public static class LeaseChecker
{
    /// <summary>Checks <paramref name="history"/>; the explanation lists at most 10 violations.</summary>
    public static CheckResult Check(IReadOnlyList<LeaseOp> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var byLease = new Dictionary<long, List<LeaseOp>>();
        long origin = long.MaxValue;
        foreach (var op in history)
        {
            if (!byLease.TryGetValue(op.LeaseId, out var list))
            {
                byLease[op.LeaseId] = list = [];
            }

            list.Add(op);
            origin = Math.Min(origin, op.InvokeNanos);
        }

        var violations = new List<string>();
        foreach (var (lease, ops) in byLease)
        {
            CheckLease(lease, ops, origin, violations);
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"lease: {history.Count} operations on {byLease.Count} leases; ");
        if (violations.Count == 0)
        {
            text.Append("no early expiry, revoke and expiry final, every lease expired after the run");
            return new CheckResult(true, text.ToString(), history.Count);
        }

        text.Append(CultureInfo.InvariantCulture, $"{violations.Count} violation(s):");
        for (int i = 0; i < violations.Count && i < 10; i++)
        {
            text.Append("\n  ").Append(violations[i]);
        }

        return new CheckResult(false, text.ToString(), history.Count);
    }

    private static void CheckLease(long lease, List<LeaseOp> ops, long origin, List<string> violations)
    {
        long aliveUntil = long.MinValue;
        long firstRevokeInvoke = long.MaxValue;
        long revokeDone = long.MaxValue;
        long attachDone = long.MaxValue;
        foreach (var op in ops)
        {
            bool renews = op.Outcome == Outcome.Ok && op.Ttl > 0 && op.Kind is LeaseOpKind.Grant or LeaseOpKind.KeepAlive;
            if (renews)
            {
                aliveUntil = Math.Max(aliveUntil, op.InvokeNanos + (op.Ttl * 1_000_000_000L));
            }

            if (op.Kind == LeaseOpKind.Revoke && op.Outcome != Outcome.Fail)
            {
                firstRevokeInvoke = Math.Min(firstRevokeInvoke, op.InvokeNanos);
                if (op.Outcome == Outcome.Ok)
                {
                    revokeDone = Math.Min(revokeDone, op.CompleteNanos);
                }
            }

            if (op.Kind == LeaseOpKind.Attach && op.Outcome == Outcome.Ok)
            {
                attachDone = Math.Min(attachDone, op.CompleteNanos);
            }
        }

        long goneDone = long.MaxValue;
        foreach (var op in ops)
        {
            if (IsGoneEvidence(op, attachDone))
            {
                goneDone = Math.Min(goneDone, op.CompleteNanos);
                if (op.CompleteNanos < aliveUntil && firstRevokeInvoke > op.CompleteNanos)
                {
                    violations.Add($"lease {lease}: early expiry: {Describe(op, origin)} although a grant/keepalive keeps it alive until {Ms(aliveUntil, origin)}");
                }
            }
        }

        LeaseOp? lastFinalTtl = null;
        bool finalPhase = false;
        foreach (var op in ops)
        {
            if (op.Outcome != Outcome.Ok)
            {
                continue;
            }

            if (op.Process >= LeaseWorkload.FinalProcess)
            {
                finalPhase = true;
                if (op.Kind == LeaseOpKind.TimeToLive)
                {
                    lastFinalTtl = op;
                }
            }

            long after = Math.Min(revokeDone, goneDone);
            if (op.InvokeNanos <= after)
            {
                continue;
            }

            string cause = revokeDone <= goneDone ? $"revoked (done at {Ms(revokeDone, origin)})" : $"gone (seen at {Ms(goneDone, origin)})";
            if (op.Kind == LeaseOpKind.ReadKey && op.KeyPresent)
            {
                violations.Add($"lease {lease}: {Describe(op, origin)} but the lease was {cause}");
            }
            else if (op.Kind == LeaseOpKind.KeepAlive && op.Ttl > 0)
            {
                violations.Add($"lease {lease}: renewed by {Describe(op, origin)} but the lease was {cause}");
            }
            else if (op.Kind == LeaseOpKind.TimeToLive && op.Ttl > 0 && revokeDone <= goneDone)
            {
                violations.Add($"lease {lease}: {Describe(op, origin)} but the lease was {cause}");
            }
        }

        if (finalPhase)
        {
            if (lastFinalTtl is null)
            {
                violations.Add($"lease {lease}: after the run no time-to-live succeeded, expiry not confirmed");
            }
            else if (lastFinalTtl.Ttl != -1)
            {
                violations.Add($"lease {lease}: never expired: the last time-to-live after the run ({Describe(lastFinalTtl, origin)}) still finds it");
            }

            foreach (var op in ops)
            {
                if (op.Process >= LeaseWorkload.FinalProcess && op.Kind == LeaseOpKind.ReadKey && op.Outcome == Outcome.Ok && op.KeyPresent)
                {
                    violations.Add($"lease {lease}: key {op.Key} still attached after the run ({Describe(op, origin)})");
                }
            }
        }
    }

    private static bool IsGoneEvidence(LeaseOp op, long attachDone) =>
        op.Outcome == Outcome.Ok && op.Kind switch
        {
            LeaseOpKind.KeepAlive => op.Ttl == 0,
            LeaseOpKind.TimeToLive => op.Ttl == -1,
            LeaseOpKind.ReadKey => !op.KeyPresent && attachDone < op.InvokeNanos,
            _ => false,
        };

    private static string Describe(LeaseOp op, long origin) =>
        $"{op.Kind} by p{op.Process} [{Ms(op.InvokeNanos, origin)} .. {Ms(op.CompleteNanos, origin)}] ttl={op.Ttl} key_present={op.KeyPresent}";

    private static string Ms(long nanos, long origin) =>
        nanos == long.MaxValue ? "∞" : ((nanos - origin) / 1_000_000.0).ToString("0.0", CultureInfo.InvariantCulture) + " ms";
}
