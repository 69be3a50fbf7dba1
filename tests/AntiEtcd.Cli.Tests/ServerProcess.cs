using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace AntiEtcd.Cli.Tests;

/// <summary>A real <c>antietcd</c> process started from the build output, with its output captured.</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _lock = new();

    private ServerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_lock)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_lock)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The antietcd.dll built in the same configuration as this test assembly.</summary>
    public static string ServerDll => RepoPaths.BuiltDll(Path.Combine("src", "antietcd"), "antietcd.dll");

    public static ServerProcess Start(params string[] args)
    {
        var info = DotnetChild.StartInfo(ServerDll, args);

        return new ServerProcess(Process.Start(info)!);
    }

    /// <summary>Runs the executable to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        await using var process = Start(args);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (code, process.Stdout, process.Stderr);
    }

    /// <summary>Waits until the server logs its listening line and returns the port.</summary>
    public async Task<int> WaitForPortAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var match = ListeningLine().Match(Stdout);
            if (match.Success)
            {
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            Assert.False(_process.HasExited, $"server exited early: {Stderr}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"no listening line; stdout: {Stdout}; stderr: {Stderr}");
    }

    /// <summary>Waits for a condition on the captured output (polling, with a deadline).</summary>
    public async Task WaitForOutputAsync(Func<string, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition(Stdout))
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met; stdout: {Stdout}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>SIGKILL: the process gets no chance to flush anything.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Signal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        // Let the asynchronous readers drain the last lines.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            target.Append(line).Append('\n');
        }
    }

    // A plain DllImport: LibraryImport would need unsafe code, which the project keeps off.
#pragma warning disable SYSLIB1054, CA5392
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054, CA5392

    [GeneratedRegex(@"listening on [^\s]+:(\d+)")]
    private static partial Regex ListeningLine();
}
