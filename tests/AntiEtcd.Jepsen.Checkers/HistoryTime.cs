using System.Globalization;

namespace AntiEtcd.Jepsen.Checkers;

/// <summary>Formats monotonic nanosecond timestamps relative to a history's first invocation, so explanations read as "12.345 ms".</summary>
internal static class HistoryTime
{
    /// <summary>The time of a completion that never arrived (an unknown outcome).</summary>
    public const long Never = long.MaxValue;

    /// <summary>Milliseconds since <paramref name="origin"/> with microsecond precision, or "never" for <see cref="Never"/>.</summary>
    public static string Ms(long nanos, long origin) =>
        nanos == Never ? "never" : ((nanos - origin) / 1_000_000.0).ToString("0.000", CultureInfo.InvariantCulture) + " ms";

    /// <summary>"[invoke, complete]" in relative milliseconds.</summary>
    public static string Window(long invokeNanos, long completeNanos, long origin) =>
        "[" + Ms(invokeNanos, origin) + " .. " + Ms(completeNanos, origin) + "]";
}
