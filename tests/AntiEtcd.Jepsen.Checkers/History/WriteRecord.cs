namespace AntiEtcd.Jepsen.Checkers.History;

/// <summary>A write the clients attempted, for checking watches against the key-value history.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value put; null for a delete.</param>
/// <param name="Revision">For <see cref="Outcome.Ok"/>: the header revision of the answer (the revision the write created). Otherwise 0.</param>
/// <param name="Outcome">Ok, certainly failed, or unknown (may appear in watches, or not).</param>
public sealed record WriteRecord(string Key, string? Value, long Revision, Outcome Outcome);
