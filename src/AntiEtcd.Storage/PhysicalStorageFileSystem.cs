namespace AntiEtcd.Storage;

/// <summary>The real file system.</summary>
/// <remarks>
/// Thread-safe (stateless). Files are opened without buffering in .NET (every <see cref="IStorageFile.Append"/> is one
/// write system call). <see cref="LockFile"/> relies on .NET's Unix emulation of <see cref="FileShare.None"/>, which
/// is <c>flock(LOCK_EX | LOCK_NB)</c>: it excludes other processes and other opens in this process, and dies with the
/// process. Directory fsync is a libc call (no-op on Windows).
/// </remarks>
public sealed class PhysicalStorageFileSystem : IStorageFileSystem
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private PhysicalStorageFileSystem()
    {
    }

    /// <summary>The single instance.</summary>
    public static PhysicalStorageFileSystem Instance { get; } = new();

    /// <inheritdoc/>
    public bool FileExists(string path) => File.Exists(path);

    /// <inheritdoc/>
    public bool DirectoryExists(string path) => Directory.Exists(path);

    /// <inheritdoc/>
    public void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, DirectoryMode);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> ListFiles(string directory)
    {
        var paths = Directory.GetFiles(directory);
        var names = new string[paths.Length];
        for (var i = 0; i < paths.Length; i++)
        {
            names[i] = Path.GetFileName(paths[i]);
        }

        return names;
    }

    /// <inheritdoc/>
    public IStorageFile CreateFile(string path) => Open(path, System.IO.FileMode.Create);

    /// <inheritdoc/>
    public IStorageFile OpenFile(string path) => Open(path, System.IO.FileMode.Open);

    /// <inheritdoc/>
    public byte[] ReadAllBytes(string path) => File.ReadAllBytes(path);

    /// <inheritdoc/>
    public void Rename(string sourcePath, string destinationPath) => File.Move(sourcePath, destinationPath, overwrite: true);

    /// <inheritdoc/>
    public void DeleteFile(string path) => File.Delete(path);

    /// <inheritdoc/>
    public void SyncDirectory(string path) => LibC.SyncDirectory(path);

    /// <inheritdoc/>
    public IDisposable LockFile(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = System.IO.FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return new FileStream(path, options);
    }

    private static PhysicalStorageFile Open(string path, System.IO.FileMode mode)
    {
        var options = new FileStreamOptions
        {
            Mode = mode,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 0,
        };
        if (mode == System.IO.FileMode.Create && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return new PhysicalStorageFile(path, new FileStream(path, options));
    }
}
