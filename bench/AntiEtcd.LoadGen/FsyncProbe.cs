using System.Diagnostics;
using System.Globalization;

namespace AntiEtcd.LoadGen;

/// <summary>
/// The price of durability on this disk: appends 4 KiB to a file and fsyncs it
/// (<see cref="RandomAccess.FlushToDisk"/>, the call the server's WAL makes), one after the other,
/// and reports the latency of each write + fsync. A durable put cannot be acknowledged faster than
/// one of these, so this explains the durable rows of the benchmark.
/// </summary>
internal static class FsyncProbe
{
    private const int BlockBytes = 4096;

    /// <summary>Runs for <paramref name="duration"/> and returns one line of results.</summary>
    public static string Run(string directory, TimeSpan duration)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"fsync-probe-{Environment.ProcessId}.tmp");
        var block = new byte[BlockBytes];
        block.AsSpan().Fill((byte)'x');
        var histogram = new LatencyHistogram();
        var nsPerTick = 1e9 / Stopwatch.Frequency;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
            var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            long offset = 0;
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                if (started >= end)
                {
                    break;
                }

                RandomAccess.Write(handle, block, offset);
                RandomAccess.FlushToDisk(handle);
                offset += BlockBytes;
                histogram.Record((long)((Stopwatch.GetTimestamp() - started) * nsPerTick));
            }
        }
        finally
        {
            File.Delete(path);
        }

        const double NsPerMs = 1e6;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"fsync-probe dir={directory} block={BlockBytes}B count={histogram.Count} per_s={histogram.Count / duration.TotalSeconds:F0} mean={histogram.SumNanoseconds / Math.Max(1, histogram.Count) / NsPerMs:F3}ms p50={histogram.ValueAtPercentile(50) / NsPerMs:F3}ms p99={histogram.ValueAtPercentile(99) / NsPerMs:F3}ms max={histogram.MaxNanoseconds / NsPerMs:F3}ms");
    }
}
