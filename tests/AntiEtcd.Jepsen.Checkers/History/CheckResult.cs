namespace AntiEtcd.Jepsen.Checkers.History;

/// <summary>A checker's verdict.</summary>
/// <param name="Valid">True when no anomaly was found.</param>
/// <param name="Explanation">Human-readable: what was checked, and for an invalid history the smallest evidence found.</param>
/// <param name="OperationsChecked">How many operations (or events) were judged.</param>
public sealed record CheckResult(bool Valid, string Explanation, long OperationsChecked);
