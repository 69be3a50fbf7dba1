using System.Numerics;

namespace AntiEtcd.LoadGen;

/// <summary>
/// A log-linear latency histogram in nanoseconds (the HdrHistogram layout, reduced): exact below
/// 256 ns, then 128 buckets per power of two, so any recorded value is known within 0.8%.
/// </summary>
/// <remarks>
/// Not thread-safe: each worker owns one and the runner merges them after the run. Recording is a
/// few integer operations and no allocation, so it does not perturb the loop it measures.
/// </remarks>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits; // 128 per power of two
    private const int LinearLimit = SubBuckets * 2;     // 256: values below are exact

    // Up to 2^40 ns (~18 minutes): far above any request timeout.
    private const int MaxShift = 40 - SubBucketBits - 1;
    private readonly long[] _counts = new long[LinearLimit + (MaxShift * SubBuckets)];

    public long Count { get; private set; }

    public long MaxNanoseconds { get; private set; }

    public long MinNanoseconds { get; private set; } = long.MaxValue;

    public double SumNanoseconds { get; private set; }

    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0)
        {
            nanoseconds = 0;
        }

        _counts[IndexOf(nanoseconds)]++;
        Count++;
        SumNanoseconds += nanoseconds;
        if (nanoseconds > MaxNanoseconds)
        {
            MaxNanoseconds = nanoseconds;
        }

        if (nanoseconds < MinNanoseconds)
        {
            MinNanoseconds = nanoseconds;
        }
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        SumNanoseconds += other.SumNanoseconds;
        MaxNanoseconds = Math.Max(MaxNanoseconds, other.MaxNanoseconds);
        MinNanoseconds = Math.Min(MinNanoseconds, other.MinNanoseconds);
    }

    /// <summary>The smallest recorded value at or above which lie no more than (100 - p)% of the values.</summary>
    /// <remarks>
    /// Reported as the middle of its bucket, clamped to the exact minimum and maximum: the middle of the first or last
    /// occupied bucket can lie below the smallest or the largest recorded value. The 100th percentile is the exact maximum.
    /// </remarks>
    public long ValueAtPercentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        rank = Math.Clamp(rank, 1, Count);
        if (rank == Count)
        {
            return MaxNanoseconds;
        }

        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Clamp(MiddleOf(i), MinNanoseconds, MaxNanoseconds);
            }
        }

        return MaxNanoseconds;
    }

    internal static int IndexOf(long value)
    {
        if (value < LinearLimit)
        {
            return (int)value;
        }

        // shift >= 1: the value has (SubBucketBits + 1 + shift) significant bits.
        var shift = (63 - BitOperations.LeadingZeroCount((ulong)value)) - SubBucketBits;
        if (shift > MaxShift)
        {
            return LinearLimit + (MaxShift * SubBuckets) - 1;
        }

        var sub = (int)(value >> shift) - SubBuckets; // 0..127
        return LinearLimit + ((shift - 1) * SubBuckets) + sub;
    }

    internal static long MiddleOf(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }

        var shift = ((index - LinearLimit) / SubBuckets) + 1;
        var sub = ((index - LinearLimit) % SubBuckets) + SubBuckets;
        return ((long)sub << shift) + (1L << (shift - 1));
    }
}
