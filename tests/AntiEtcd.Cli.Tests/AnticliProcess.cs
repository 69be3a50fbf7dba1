using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace AntiEtcd.Cli.Tests;

/// <summary>A real <c>anticli</c> process started from the build output, with stdin given and stdout captured as bytes.</summary>
public sealed class AnticliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<byte> _stdout = [];
    private readonly List<byte> _stderr = [];
    private readonly Lock _lock = new();
    private readonly Task _readers;

    private AnticliProcess(Process process, byte[]? stdin)
    {
        _process = process;
        _readers = Task.WhenAll(CopyAsync(process.StandardOutput.BaseStream, _stdout), CopyAsync(process.StandardError.BaseStream, _stderr), FeedAsync(process.StandardInput.BaseStream, stdin));
    }

    /// <summary>The anticli.dll built in the same configuration as this test assembly.</summary>
    public static string AnticliDll => RepoPaths.BuiltDll(Path.Combine("src", "anticli"), "anticli.dll");

    public byte[] StdoutBytes
    {
        get
        {
            lock (_lock)
            {
                return _stdout.ToArray();
            }
        }
    }

    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);

    public string Stderr
    {
        get
        {
            lock (_lock)
            {
                return Encoding.UTF8.GetString(_stderr.ToArray());
            }
        }
    }

    /// <summary>Starts anticli; stdin gets <paramref name="stdin"/> and is then closed (empty when null).</summary>
    public static AnticliProcess Start(byte[]? stdin, params string[] args)
    {
        var info = DotnetChild.StartInfo(AnticliDll, args);

        return new AnticliProcess(Process.Start(info)!, stdin);
    }

    /// <summary>Runs anticli to completion (30 s at most) and returns its exit code and output.</summary>
    public static async Task<AnticliResult> RunAsync(params string[] args) => await RunWithInputAsync(null, args);

    /// <summary>Runs anticli with <paramref name="stdin"/> to completion.</summary>
    public static async Task<AnticliResult> RunWithInputAsync(byte[]? stdin, params string[] args)
    {
        await using var process = Start(stdin, args);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return new AnticliResult(code, process.StdoutBytes, process.Stderr);
    }

    /// <summary>Waits for a condition on stdout (polling, with a deadline).</summary>
    public async Task WaitForStdoutAsync(Func<string, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition(Stdout))
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met; stdout: {Stdout}; stderr: {Stderr}");
            if (_process.HasExited && !condition(Stdout))
            {
                Assert.Fail($"anticli exited ({_process.ExitCode}); stdout: {Stdout}; stderr: {Stderr}");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits for a condition on stderr (polling, with a deadline).</summary>
    public async Task WaitForStderrAsync(Func<string, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition(Stderr))
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met; stderr: {Stderr}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public void Signal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        await _process.WaitForExitAsync(cts.Token);
        await _readers.WaitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        try
        {
            await _readers.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or ObjectDisposedException)
        {
            // The pipes of a killed process may break.
        }

        _process.Dispose();
    }

    private static async Task FeedAsync(Stream stdin, byte[]? bytes)
    {
        try
        {
            if (bytes is not null)
            {
                await stdin.WriteAsync(bytes);
            }
        }
        catch (IOException)
        {
            // anticli may exit (usage error) before reading its input.
        }
        finally
        {
            stdin.Close();
        }
    }

    private async Task CopyAsync(Stream source, List<byte> target)
    {
        var buffer = new byte[8192];
        int read;
        while ((read = await source.ReadAsync(buffer)) > 0)
        {
            lock (_lock)
            {
                target.AddRange(buffer.AsSpan(0, read));
            }
        }
    }

    // A plain DllImport: LibraryImport would need unsafe code, which the project keeps off.
#pragma warning disable SYSLIB1054, CA5392
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054, CA5392
}
