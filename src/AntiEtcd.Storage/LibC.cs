using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AntiEtcd.Storage;

/// <summary>
/// The libc calls the base library lacks: fsync of a directory (needed after create, rename and delete), and for WAL
/// segments <c>fallocate</c> and <c>fdatasync</c> (Linux).
/// </summary>
internal static class LibC
{
    private const int ORdOnly = 0;
    private const int OCloExecLinux = 0x80000; // 02000000 on every Linux architecture .NET runs on
    private const int EIntr = 4;
    private const int EInval = 22;

    /// <summary>fsync of the directory at <paramref name="path"/>; a no-op on Windows, which has no such operation.</summary>
    /// <remarks>EINVAL (a file system that cannot sync directories) is ignored: there is nothing better to do.</remarks>
    public static void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var flags = OperatingSystem.IsLinux() ? ORdOnly | OCloExecLinux : ORdOnly;
        int fd;
        do
        {
            fd = Open(path, flags);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EIntr);

        if (fd < 0)
        {
            throw Error("open", path, Marshal.GetLastPInvokeError());
        }

        try
        {
            if (FSync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != EInval)
                {
                    throw Error("fsync", path, errno);
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Linux <c>fallocate</c> mode 0 over [0, <paramref name="length"/>): allocates zeroed blocks and extends the size. Unlike
    /// <c>posix_fallocate</c> it never falls back to writing zeros, so a file system without it just answers false.
    /// </summary>
    public static bool TryAllocate(SafeFileHandle file, long length)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        int result;
        do
        {
            result = FAllocate(file, 0, 0, length);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == EIntr);

        return result == 0;
    }

    /// <summary>Linux <c>fdatasync</c>: the data and the metadata needed to read it back (the size), without timestamps.</summary>
    public static void DataSync(SafeFileHandle file, string path)
    {
        if (FDataSync(file) != 0)
        {
            throw Error("fdatasync", path, Marshal.GetLastPInvokeError());
        }
    }

    private static IOException Error(string call, string path, int errno) =>
        new($"{call}({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FSync(int fd);

    [DllImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FAllocate(SafeFileHandle fd, int mode, long offset, long length);

    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int FDataSync(SafeFileHandle fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}
