using System.Diagnostics;
using System.Globalization;

namespace AntiEtcd.LoadGen;

/// <summary>CPU time and memory of this process and, on Linux, of the server under test, at one instant.</summary>
/// <param name="ClientCpu">This process's user + system CPU time.</param>
/// <param name="ClientAllocatedBytes">Bytes this process has allocated on the managed heap so far.</param>
/// <param name="ClientGen0Collections">Gen0 collections of this process so far.</param>
/// <param name="ServerCpu">The server's user + system CPU time (all its threads, live and exited), or null.</param>
/// <param name="ServerRssBytes">The server's resident set size, or null.</param>
internal readonly record struct ProcessSample(
    TimeSpan ClientCpu,
    long ClientAllocatedBytes,
    int ClientGen0Collections,
    TimeSpan? ServerCpu,
    long? ServerRssBytes)
{
    // USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every Linux ABI .NET runs on.
    private const double ClockTicksPerSecond = 100;

    public static ProcessSample Take(int? serverPid)
    {
        using var self = Process.GetCurrentProcess();
        TimeSpan? serverCpu = null;
        long? serverRss = null;
        if (serverPid is { } pid)
        {
            serverCpu = ReadCpu(pid);
            serverRss = ReadRss(pid);
        }

        return new ProcessSample(self.TotalProcessorTime, GC.GetTotalAllocatedBytes(precise: false), GC.CollectionCount(0), serverCpu, serverRss);
    }

    /// <summary>utime + stime from <c>/proc/PID/stat</c> (fields 14 and 15; they include exited threads).</summary>
    internal static TimeSpan? ReadCpu(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");

            // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / ClockTicksPerSecond);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Resident pages (second field of <c>/proc/PID/statm</c>) times the page size.</summary>
    private static long? ReadRss(int pid)
    {
        try
        {
            var statm = File.ReadAllText($"/proc/{pid}/statm").Split(' ');
            return long.Parse(statm[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
