namespace AntiEtcd.Jepsen.Checkers.History;

/// <summary>One completed (or abandoned) operation on a single-key register.</summary>
/// <param name="Process">The client worker that ran it; a worker runs one operation at a time.</param>
/// <param name="Key">The register.</param>
/// <param name="Kind">Read, write or compare-and-set.</param>
/// <param name="Value">Write/CAS: the value written. Read: the value read (only meaningful when <see cref="Outcome.Ok"/>); null means absent.</param>
/// <param name="Expected">CAS: the value compared against; otherwise null.</param>
/// <param name="InvokeNanos">Monotonic time the request was sent.</param>
/// <param name="CompleteNanos">Monotonic time the answer arrived; <see cref="long.MaxValue"/> for <see cref="Outcome.Unknown"/>.</param>
/// <param name="Outcome">Ok, certainly failed, or unknown.</param>
public sealed record RegisterOp(int Process, string Key, RegisterOpKind Kind, long? Value, long? Expected, long InvokeNanos, long CompleteNanos, Outcome Outcome);
