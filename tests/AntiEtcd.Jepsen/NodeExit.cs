namespace AntiEtcd.Jepsen;

/// <summary>A node process that exited without the harness stopping it.</summary>
/// <param name="Start">Which start of the node (1 for the first) the process was.</param>
/// <param name="ExitCode">The process's exit code (137 and the like for a signal from outside).</param>
/// <param name="AtNanos">When the harness saw the exit, on <see cref="MonotonicClock"/>.</param>
public sealed record NodeExit(int Start, int ExitCode, long AtNanos);
