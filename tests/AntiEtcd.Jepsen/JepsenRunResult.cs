namespace AntiEtcd.Jepsen;

/// <summary>What a run produced.</summary>
/// <param name="Valid">Every checker accepted its history.</param>
/// <param name="Reports">Each checker's verdict.</param>
/// <param name="Operations">Operations recorded over all workloads.</param>
/// <param name="OperationsChecked">Operations the checkers judged (their own counts summed).</param>
/// <param name="Faults">Faults the nemesis injected.</param>
/// <param name="Folder">The run folder (deleted after a passing CI run; it then no longer exists).</param>
/// <param name="Summary">A few lines for a test log or the console.</param>
public sealed record JepsenRunResult(bool Valid, IReadOnlyList<CheckReport> Reports, long Operations, long OperationsChecked, int Faults, string Folder, string Summary);
