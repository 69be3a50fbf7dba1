using System.Globalization;
using System.Text;

namespace AntiEtcd.Storage;

/// <summary>The <c>--data</c> directory (SPEC §9.1): creation, exclusive lock, format version, identity and flags.</summary>
/// <remarks>
/// <para>Holding an open <see cref="DataDirectory"/> holds the lock; dispose it last, after the WAL and snapshot store
/// are closed. Layout and checks: docs/wal-format.md §1.</para>
/// <para>Threading: the flag methods may be called from any thread but are not meant to race with each other on the
/// same flag.</para>
/// </remarks>
public sealed class DataDirectory : IDisposable
{
    /// <summary>The format version this library writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    private const string LockFileName = "lock";
    private const string VersionFileName = "version";
    private const string IdentityFileName = "identity";
    private const string FlagPrefix = "flag.";

    private readonly IStorageFileSystem _fileSystem;
    private IDisposable? _lock;

    private DataDirectory(string path, IStorageFileSystem fileSystem, IDisposable heldLock, bool isNew, IReadOnlyList<string> warnings)
    {
        Path = path;
        _fileSystem = fileSystem;
        _lock = heldLock;
        IsNew = isNew;
        Warnings = warnings;
        WalDirectory = System.IO.Path.Combine(path, "wal");
        SnapshotDirectory = System.IO.Path.Combine(path, "snap");
    }

    /// <summary>The data directory, as given.</summary>
    public string Path { get; }

    /// <summary>Where the WAL lives: pass it to <see cref="Wal.OpenAsync"/>.</summary>
    public string WalDirectory { get; }

    /// <summary>Where snapshots live: pass it to <see cref="SnapshotStore.Open"/>.</summary>
    public string SnapshotDirectory { get; }

    /// <summary>Whether this start found no identity: the directory is new (SPEC §9.6 "the start that creates the data directory").</summary>
    public bool IsNew { get; }

    /// <summary>Messages for the caller to log as warnings (the <c>.gz</c>/<c>.json</c> name warning of SPEC §9.1).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Opens or creates the data directory and checks it against this node's identity.</summary>
    /// <param name="path">The <c>--data</c> path.</param>
    /// <param name="nodeId">This node's node_id.</param>
    /// <param name="clusterId">This node's cluster_id.</param>
    /// <param name="fileSystem">The file system; null for <see cref="PhysicalStorageFileSystem.Instance"/>.</param>
    /// <returns>The open directory, holding its lock.</returns>
    /// <exception cref="DataDirectoryException">One of SPEC §9.1's refusals; the message is the exact text to print.</exception>
    public static DataDirectory Open(string path, string nodeId, ulong clusterId, IStorageFileSystem? fileSystem = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        fileSystem ??= PhysicalStorageFileSystem.Instance;
        var warnings = new List<string>();
        if (fileSystem.FileExists(path))
        {
            throw new DataDirectoryException("--data must be a directory; to migrate an antietcd data file use --import_antietcd FILE");
        }

        if (!fileSystem.DirectoryExists(path))
        {
            fileSystem.CreateDirectory(path);
            SyncParent(fileSystem, path);
            var trimmed = System.IO.Path.TrimEndingDirectorySeparator(path);
            if (trimmed.EndsWith(".gz", StringComparison.Ordinal) || trimmed.EndsWith(".json", StringComparison.Ordinal))
            {
                warnings.Add($"--data {path}: created a directory; the original antietcd data file format is not used (to migrate a data file, use --import_antietcd FILE)");
            }
        }

        IDisposable heldLock;
        try
        {
            heldLock = fileSystem.LockFile(System.IO.Path.Combine(path, LockFileName));
        }
        catch (IOException ex)
        {
            throw new DataDirectoryException("data directory is locked by another process", ex);
        }

        try
        {
            foreach (var name in fileSystem.ListFiles(path))
            {
                if (name.EndsWith(WalFormat.TempSuffix, StringComparison.Ordinal))
                {
                    fileSystem.DeleteFile(System.IO.Path.Combine(path, name));
                }
            }

            CheckVersion(fileSystem, path);
            var isNew = CheckIdentity(fileSystem, path, nodeId, clusterId);
            var directory = new DataDirectory(path, fileSystem, heldLock, isNew, warnings);
            fileSystem.CreateDirectory(directory.WalDirectory);
            fileSystem.CreateDirectory(directory.SnapshotDirectory);
            fileSystem.SyncDirectory(path);
            return directory;
        }
        catch
        {
            heldLock.Dispose();
            throw;
        }
    }

    /// <summary>Whether the durable flag <paramref name="name"/> is set (SPEC §9.4 filtered writes, §9.6 pending import).</summary>
    /// <param name="name">Lower-case letters, digits, '_' and '-'.</param>
    public bool HasFlag(string name) => _fileSystem.FileExists(FlagPath(name));

    /// <summary>Sets the flag durably (file created, directory fsynced) before returning.</summary>
    /// <param name="name">Lower-case letters, digits, '_' and '-'.</param>
    public void SetFlag(string name)
    {
        var path = FlagPath(name);
        if (!_fileSystem.FileExists(path))
        {
            using (var file = _fileSystem.CreateFile(path))
            {
                file.Sync();
            }

            _fileSystem.SyncDirectory(Path);
        }
    }

    /// <summary>Clears the flag durably (file deleted, directory fsynced) before returning.</summary>
    /// <param name="name">Lower-case letters, digits, '_' and '-'.</param>
    public void ClearFlag(string name)
    {
        var path = FlagPath(name);
        if (_fileSystem.FileExists(path))
        {
            _fileSystem.DeleteFile(path);
            _fileSystem.SyncDirectory(Path);
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _lock, null)?.Dispose();
    }

    private string FlagPath(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not ('_' or '-'))
            {
                throw new ArgumentException("a flag name has only lower-case letters, digits, '_' and '-'", nameof(name));
            }
        }

        return System.IO.Path.Combine(Path, FlagPrefix + name);
    }

    private static void CheckVersion(IStorageFileSystem fileSystem, string path)
    {
        var file = System.IO.Path.Combine(path, VersionFileName);
        if (!fileSystem.FileExists(file))
        {
            WriteSmallFile(fileSystem, path, VersionFileName, $"{FormatVersion}\n");
            return;
        }

        var text = Encoding.UTF8.GetString(fileSystem.ReadAllBytes(file));
        if (!text.EndsWith('\n') || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            throw new DataDirectoryException($"{file}: not a data directory format version");
        }

        if (version > FormatVersion)
        {
            throw new DataDirectoryException($"data directory format version {version} is newer than this antietcd supports ({FormatVersion})");
        }
    }

    /// <returns>Whether the identity was missing (and has now been written).</returns>
    private static bool CheckIdentity(IStorageFileSystem fileSystem, string path, string nodeId, ulong clusterId)
    {
        var file = System.IO.Path.Combine(path, IdentityFileName);
        if (!fileSystem.FileExists(file))
        {
            WriteSmallFile(fileSystem, path, IdentityFileName, string.Create(CultureInfo.InvariantCulture, $"node_id={nodeId}\ncluster_id={clusterId}\n"));
            return true;
        }

        var lines = Encoding.UTF8.GetString(fileSystem.ReadAllBytes(file)).Split('\n');
        if (lines.Length != 3 || lines[2].Length != 0 || !lines[0].StartsWith("node_id=", StringComparison.Ordinal)
            || !lines[1].StartsWith("cluster_id=", StringComparison.Ordinal)
            || !ulong.TryParse(lines[1].AsSpan("cluster_id=".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var storedCluster))
        {
            throw new DataDirectoryException($"{file}: not a data directory identity file");
        }

        var storedNode = lines[0]["node_id=".Length..];
        if (storedNode != nodeId || storedCluster != clusterId)
        {
            throw new DataDirectoryException(string.Create(CultureInfo.InvariantCulture, $"data directory belongs to node {storedNode} of cluster {storedCluster}"));
        }

        return false;
    }

    private static void WriteSmallFile(IStorageFileSystem fileSystem, string directory, string name, string content)
    {
        var path = System.IO.Path.Combine(directory, name);
        var temp = path + WalFormat.TempSuffix;
        using (var file = fileSystem.CreateFile(temp))
        {
            file.Append(Encoding.UTF8.GetBytes(content));
            file.Sync();
        }

        fileSystem.Rename(temp, path);
        fileSystem.SyncDirectory(directory);
    }

    private static void SyncParent(IStorageFileSystem fileSystem, string path)
    {
        var parent = System.IO.Path.GetDirectoryName(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path)));
        if (!string.IsNullOrEmpty(parent))
        {
            fileSystem.SyncDirectory(parent);
        }
    }
}
