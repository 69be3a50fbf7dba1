using System.Diagnostics;

namespace AntiEtcd.Jepsen;

/// <summary>Monotonic nanoseconds for histories and the nemesis log (never the wall clock: it may jump).</summary>
public static class MonotonicClock
{
    private static readonly double NanosPerTick = 1_000_000_000.0 / Stopwatch.Frequency;

    /// <summary>Now, in nanoseconds since an arbitrary origin shared by the whole process.</summary>
    public static long NowNanos() => (long)(Stopwatch.GetTimestamp() * NanosPerTick);
}
