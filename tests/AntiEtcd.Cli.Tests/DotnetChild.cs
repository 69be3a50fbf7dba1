using System.Diagnostics;
using System.Globalization;

namespace AntiEtcd.Cli.Tests;

/// <summary>How the tests start <c>dotnet some.dll args…</c> with every standard stream redirected.</summary>
internal static class DotnetChild
{
    // SIGINT is signal 2, SIGQUIT signal 3: bits 1 and 2 of the SigIgn mask in /proc/self/status.
    private const ulong ConsoleSignalsMask = 0b110;

    /// <summary>
    /// Whether this test process inherited SIGINT or SIGQUIT as ignored, as every command a non-interactive shell runs
    /// in the background does (POSIX, "&amp;" without job control). The ignored disposition passes on to the programs the
    /// tests start, and .NET keeps a signal ignored that it found ignored at start, so a Ctrl-C test would wait for an
    /// exit that cannot come. Seen when <c>.ci/run</c> was started with <c>nohup … &amp;</c>.
    /// </summary>
    private static readonly bool s_consoleSignalsIgnored = ConsoleSignalsIgnored();

    /// <summary>The start info for <c>dotnet <paramref name="dll"/> <paramref name="args"/></c>, with SIGINT and SIGQUIT at their defaults.</summary>
    public static ProcessStartInfo StartInfo(string dll, IEnumerable<string> args)
    {
        // env --default-signal (coreutils 8.31 and later) resets them and then execs dotnet, so the PID the tests
        // signal is the program's own.
        var info = new ProcessStartInfo(s_consoleSignalsIgnored ? "env" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (s_consoleSignalsIgnored)
        {
            info.ArgumentList.Add("--default-signal=INT,QUIT");
            info.ArgumentList.Add("dotnet");
        }

        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private static bool ConsoleSignalsIgnored()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            return line is not null
                && (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & ConsoleSignalsMask) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
