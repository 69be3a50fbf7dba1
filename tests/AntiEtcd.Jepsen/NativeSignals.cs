using System.Runtime.InteropServices;

namespace AntiEtcd.Jepsen;

/// <summary>POSIX signals by PID: <see cref="System.Diagnostics.Process"/> has no SIGSTOP/SIGCONT.</summary>
internal static class NativeSignals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    // Linux numbering (the harness runs on Linux only; macOS uses 17/19).
    public const int SigCont = 18;
    public const int SigStop = 19;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; throws when the kernel refuses.</summary>
    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    // A plain DllImport: LibraryImport would need unsafe code, which the project keeps off.
#pragma warning disable SYSLIB1054, CA5392
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054, CA5392
}
