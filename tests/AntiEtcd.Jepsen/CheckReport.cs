using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen;

/// <summary>One checker's verdict on one workload's history.</summary>
/// <param name="Checker">What was checked, e.g. <c>register linearizability</c>.</param>
/// <param name="Result">The verdict.</param>
public sealed record CheckReport(string Checker, CheckResult Result);
