namespace AntiEtcd.Jepsen.Checkers.History;

/// <summary>One list-append transaction: its micro-operations run atomically, in order.</summary>
/// <param name="Process">The client worker.</param>
/// <param name="Ops">The steps, in order; reads see earlier appends of the same txn.</param>
/// <param name="InvokeNanos">Monotonic time the request was sent.</param>
/// <param name="CompleteNanos">Monotonic time the answer arrived; <see cref="long.MaxValue"/> for <see cref="Outcome.Unknown"/>.</param>
/// <param name="Outcome">Ok, certainly failed (e.g. a failed compare-guard, a 4xx or a not-executed 503), or unknown.</param>
public sealed record TxnOp(int Process, IReadOnlyList<MicroOp> Ops, long InvokeNanos, long CompleteNanos, Outcome Outcome);
