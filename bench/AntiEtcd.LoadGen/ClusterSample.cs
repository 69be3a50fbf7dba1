using System.Globalization;

namespace AntiEtcd.LoadGen;

/// <summary>
/// The CPU time of every node of a cluster and the machine's idle time, at one instant (Linux). On a machine that runs
/// the whole cluster, the nodes' summed CPU per request is what bounds throughput once the machine has no idle time left;
/// on machines of their own, the busiest node's would.
/// </summary>
/// <param name="NodeCpu">Each node's user + system CPU time, in the order given; null entries for unreadable processes.</param>
/// <param name="IdleTicks">Idle + iowait ticks of all CPUs since boot (<c>/proc/stat</c>), or null.</param>
/// <param name="TotalTicks">All ticks of all CPUs since boot, or null.</param>
internal readonly record struct ClusterSample(TimeSpan?[] NodeCpu, long? IdleTicks, long? TotalTicks)
{
    public static ClusterSample Take(IReadOnlyList<int> nodePids)
    {
        var cpu = new TimeSpan?[nodePids.Count];
        for (var i = 0; i < cpu.Length; i++)
        {
            cpu[i] = ProcessSample.ReadCpu(nodePids[i]);
        }

        var (idle, total) = ReadMachineTicks();
        return new ClusterSample(cpu, idle, total);
    }

    /// <summary>The nodes' summed CPU seconds and the busiest node's between two samples; nulls when a node was unreadable.</summary>
    public static (double? Sum, double? Busiest) CpuBetween(ClusterSample before, ClusterSample after)
    {
        if (before.NodeCpu.Length == 0)
        {
            return (null, null);
        }

        double sum = 0, busiest = 0;
        for (var i = 0; i < before.NodeCpu.Length; i++)
        {
            if (before.NodeCpu[i] is not { } b || after.NodeCpu[i] is not { } a)
            {
                return (null, null);
            }

            var seconds = (a - b).TotalSeconds;
            sum += seconds;
            busiest = Math.Max(busiest, seconds);
        }

        return (sum, busiest);
    }

    /// <summary>The share of the machine's CPU time that was idle between two samples, or null.</summary>
    public static double? IdleBetween(ClusterSample before, ClusterSample after)
    {
        if (before.TotalTicks is not { } t0 || after.TotalTicks is not { } t1 || before.IdleTicks is not { } i0 || after.IdleTicks is not { } i1 || t1 <= t0)
        {
            return null;
        }

        return (i1 - i0) / (double)(t1 - t0);
    }

    /// <summary>The machine's idle and total ticks from the first line of <c>/proc/stat</c>, or nulls when it is unreadable.</summary>
    private static (long? Idle, long? Total) ReadMachineTicks()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            return ParseMachineTicks(reader.ReadLine());
        }
        catch (IOException)
        {
            return (null, null);
        }
        catch (UnauthorizedAccessException)
        {
            return (null, null);
        }
    }

    /// <summary>
    /// Parses the first line of <c>/proc/stat</c>: <c>cpu</c>, then user nice system idle iowait irq softirq steal guest
    /// guest_nice, in ticks. Idle is idle + iowait (fields 4 and 5); total is fields 1-8. Nulls for any other line, or a
    /// field that is not a tick count.
    /// </summary>
    internal static (long? Idle, long? Total) ParseMachineTicks(string? line)
    {
        var fields = (line ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 6 || fields[0] != "cpu")
        {
            return (null, null);
        }

        long idle = 0, total = 0;

        // Fields 1-8; guest time (9, 10) is already counted in user and nice.
        for (var i = 1; i < Math.Min(fields.Length, 9); i++)
        {
            // A field that is not a tick count means a format this does not know: no figure rather than an exception
            // out of the measured run (which would lose the whole run's result).
            if (!long.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                return (null, null);
            }

            total += ticks;
            if (i is 4 or 5)
            {
                idle += ticks;
            }
        }

        return (idle, total);
    }
}
