using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen;

/// <summary>One operation of the lease workload.</summary>
/// <param name="Process">The worker (a new number after an unknown outcome).</param>
/// <param name="Kind">What was done.</param>
/// <param name="LeaseId">The lease.</param>
/// <param name="Key">Attach / ReadKey: the key; otherwise null.</param>
/// <param name="Ttl">Grant / KeepAlive / TimeToLive: the TTL answered, in seconds.</param>
/// <param name="KeyPresent">ReadKey: whether the key existed (and was attached to this lease).</param>
/// <param name="InvokeNanos">Monotonic time the request was sent.</param>
/// <param name="CompleteNanos">Monotonic time the answer arrived; <see cref="long.MaxValue"/> for Unknown.</param>
/// <param name="Outcome">Ok, Fail or Unknown.</param>
public sealed record LeaseOp(int Process, LeaseOpKind Kind, long LeaseId, string? Key, long Ttl, bool KeyPresent, long InvokeNanos, long CompleteNanos, Outcome Outcome);
