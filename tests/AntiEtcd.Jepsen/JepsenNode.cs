using System.Diagnostics;
using System.Globalization;

namespace AntiEtcd.Jepsen;

/// <summary>
/// One real <c>antietcd</c> process of a <see cref="JepsenCluster"/>: same node id, port, command line
/// and data directory on every (re)start, output appended to one log file.
/// </summary>
/// <remarks>
/// Signals go to this process's own PID only. Not thread-safe: the cluster (nemesis and runner) calls
/// it from one place at a time.
/// </remarks>
public sealed class JepsenNode : IAsyncDisposable
{
    private readonly string _executable;
    private readonly IReadOnlyList<string> _arguments;
    private readonly Lock _logLock = new();
    private readonly StreamWriter _log;
    private readonly List<NodeExit> _unexpectedExits = [];
    private Process? _process;
    private int _starts;

    // The starts (by number) whose process the harness killed or stopped, recorded before the signal,
    // so that the exit handler can tell a nemesis kill from a node that died by itself (a crash, a
    // fatal storage error): the latter is a finding of the run, not part of the fault schedule. By
    // start, not one flag: an exit event may be raised after the next start has begun.
    private readonly HashSet<int> _stoppedByHarness = [];

    internal JepsenNode(int index, string nodeId, int port, string executable, IReadOnlyList<string> arguments, string? dataDirectory, string logPath)
    {
        Index = index;
        NodeId = nodeId;
        Port = port;
        ClientUrl = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        _executable = executable;
        _arguments = arguments;
        DataDirectory = dataDirectory;
        LogPath = logPath;
        _log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    /// <summary>Position in the cluster (0-based).</summary>
    public int Index { get; }

    /// <summary>The Raft node id (<c>--node_id</c>), e.g. <c>n1</c>.</summary>
    public string NodeId { get; }

    /// <summary>The client and peer listen port; fixed for the node's life so restarts keep it.</summary>
    public int Port { get; }

    /// <summary>Where clients talk to this node directly (never through a proxy).</summary>
    public Uri ClientUrl { get; }

    /// <summary>The <c>--data</c> directory, or null for an in-memory node (a kill then loses its state).</summary>
    public string? DataDirectory { get; }

    /// <summary>The file holding this node's stdout and stderr over all its starts.</summary>
    public string LogPath { get; }

    /// <summary>The PID of the running process, or null.</summary>
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>True while the process runs (paused or not).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>True between <see cref="Pause"/> and <see cref="Resume"/>.</summary>
    public bool IsPaused { get; private set; }

    /// <summary>Exits the harness did not cause, in the order they happened (empty in a healthy run).</summary>
    public IReadOnlyList<NodeExit> UnexpectedExits
    {
        get
        {
            lock (_logLock)
            {
                return [.. _unexpectedExits];
            }
        }
    }

    /// <summary>The full command line, for the logs and the docs.</summary>
    public string CommandLine => _executable + " " + string.Join(' ', _arguments);

    /// <summary>Starts the process (again), with the same arguments, port and data directory.</summary>
    public void Start()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{NodeId} is already running");
        }

        _process?.Dispose();
        var info = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in _arguments)
        {
            info.ArgumentList.Add(argument);
        }

        _starts++;
        WriteLog("harness", $"start #{_starts}: {CommandLine}");
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => WriteLog("out", e.Data);
        process.ErrorDataReceived += (_, e) => WriteLog("err", e.Data);
        int start = _starts;
        process.Exited += (_, _) => OnExited(process, start);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        IsPaused = false;
    }

    /// <summary>SIGKILL (kill -9): no flush, no snapshot, no goodbye to peers. Waits until the process is gone.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        var process = _process;
        if (process is null || process.HasExited)
        {
            return;
        }

        WriteLog("harness", "kill -9");
        ExpectExit();
        Signal(process, NativeSignals.SigKill);
        await process.WaitForExitAsync(cancellationToken);
        IsPaused = false;
    }

    /// <summary>
    /// SIGSTOP: the process freezes with its sockets open (a GC pause or a stalled VM, seen from outside).
    /// Returns false, and pauses nothing, when the process has exited (by itself: see <see cref="UnexpectedExits"/>).
    /// </summary>
    public bool Pause()
    {
        var process = _process ?? throw new InvalidOperationException($"{NodeId} was never started");
        if (!Signal(process, NativeSignals.SigStop))
        {
            WriteLog("harness", "SIGSTOP skipped: the process has exited");
            return false;
        }

        WriteLog("harness", "SIGSTOP");
        IsPaused = true;
        return true;
    }

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume()
    {
        var process = _process;
        if (process is null || process.HasExited)
        {
            IsPaused = false;
            return;
        }

        WriteLog("harness", "SIGCONT");
        Signal(process, NativeSignals.SigCont);
        IsPaused = false;
    }

    /// <summary>
    /// Graceful stop: SIGCONT if paused, SIGTERM, then wait up to <paramref name="timeout"/>; a process
    /// that does not exit by then is killed. Returns the exit code.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var process = _process;
        if (process is null)
        {
            return 0;
        }

        if (!process.HasExited)
        {
            if (IsPaused)
            {
                Resume();
            }

            WriteLog("harness", "SIGTERM");
            ExpectExit();
            Signal(process, NativeSignals.SigTerm);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                WriteLog("harness", "no exit after SIGTERM: kill -9");
                Signal(process, NativeSignals.SigKill);
                await process.WaitForExitAsync(cancellationToken);
            }
        }

        // Let the asynchronous readers drain the last lines before the code is read.
        await process.WaitForExitAsync(cancellationToken);
        WriteLog("harness", $"exited with code {process.ExitCode}");
        return process.ExitCode;
    }

    /// <summary>Kills the process if it still runs and closes the log.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            if (IsPaused)
            {
                Resume();
            }

            ExpectExit();
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        lock (_logLock)
        {
            _log.Dispose();
        }
    }

    // Sends a signal unless the process is gone; false when it was (it may exit between the check and
    // the signal: the kernel then refuses the PID, which is the same answer).
    private static bool Signal(Process process, int signal)
    {
        if (process.HasExited)
        {
            return false;
        }

        try
        {
            NativeSignals.Send(process.Id, signal);
            return true;
        }
        catch (InvalidOperationException) when (process.HasExited)
        {
            return false;
        }
    }

    private void ExpectExit()
    {
        lock (_logLock)
        {
            _stoppedByHarness.Add(_starts);
        }
    }

    private void OnExited(Process process, int start)
    {
        var exit = new NodeExit(start, process.ExitCode, MonotonicClock.NowNanos());
        lock (_logLock)
        {
            if (_stoppedByHarness.Contains(start))
            {
                return;
            }

            _unexpectedExits.Add(exit);
        }

        WriteLog("harness", $"start #{start} exited by itself with code {exit.ExitCode}");
    }

    /// <summary>Appends a harness line (e.g. a nemesis action) to the node's log, for reading it side by side.</summary>
    public void Note(string text) => WriteLog("harness", text);

    private void WriteLog(string stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        var stamp = (MonotonicClock.NowNanos() / 1_000_000).ToString(CultureInfo.InvariantCulture);
        lock (_logLock)
        {
            try
            {
                _log.WriteLine($"{stamp} [{stream}] {line}");
            }
            catch (ObjectDisposedException)
            {
                // A line that arrives after dispose has nowhere to go.
            }
        }
    }
}
