namespace AntiEtcd.Storage;

/// <summary>An in-memory <see cref="IStorageFileSystem"/> for tests: counts fsyncs, injects errors, simulates crashes.</summary>
/// <remarks>
/// <para>Crash model (pessimistic POSIX): file content survives <see cref="Crash"/> only as of its last
/// <see cref="IStorageFile.Sync"/>, and a name created, renamed or deleted survives only if its directory was
/// fsynced afterwards. Directories themselves are durable at once. Locks are released by a crash, and handles opened
/// before it throw <see cref="ObjectDisposedException"/>, as if their process had died.</para>
/// <para>Thread-safe. An fsync copies the whole file, so it is meant for small test data, not for benchmarks.</para>
/// </remarks>
public sealed class MemoryStorageFileSystem : IStorageFileSystem
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private readonly HashSet<string> _locks = new(StringComparer.Ordinal);
    private Dictionary<string, MemoryFileNode> _files = new(StringComparer.Ordinal);
    private Dictionary<string, MemoryFileNode> _durableNames = new(StringComparer.Ordinal);
    private int _generation;
    private int _fileSyncCount;
    private int _directorySyncCount;

    /// <summary>When set, every <see cref="IStorageFile.Append"/> throws it without writing (for example ENOSPC).</summary>
    public IOException? WriteError { get; set; }

    /// <summary>When set, every <see cref="IStorageFile.Sync"/> throws it and nothing becomes durable (for example EIO).</summary>
    public IOException? SyncError { get; set; }

    /// <summary>Called with the file's path at the start of every file fsync, outside any lock; a test may block in it.</summary>
    public Action<string>? BeforeSync { get; set; }

    /// <summary>The number of file fsyncs that succeeded.</summary>
    public int FileSyncCount => Volatile.Read(ref _fileSyncCount);

    /// <summary>The number of directory fsyncs.</summary>
    public int DirectorySyncCount => Volatile.Read(ref _directorySyncCount);

    /// <summary>Simulates a power loss: drops every byte and name that was not made durable (see remarks of the class).</summary>
    /// <param name="keepUnsyncedBytes">
    /// Optional torn-write model: given a surviving file's path and its count of unsynced appended bytes, how many of
    /// them to keep (the default keeps none).
    /// </param>
    public void Crash(Func<string, int, int>? keepUnsyncedBytes = null)
    {
        lock (_lock)
        {
            _generation++;
            _locks.Clear();
            _files = new Dictionary<string, MemoryFileNode>(_durableNames, StringComparer.Ordinal);
            var seen = new HashSet<MemoryFileNode>();
            foreach (var (path, node) in _files)
            {
                if (!seen.Add(node))
                {
                    continue;
                }

                var keep = 0;
                var content = node.Content;
                if (keepUnsyncedBytes is not null && content.Length > node.Durable.Length && content.StartsWith(node.Durable))
                {
                    keep = Math.Clamp(keepUnsyncedBytes(path, content.Length - node.Durable.Length), 0, content.Length - node.Durable.Length);
                }

                var survivor = keep > 0 ? content[..(node.Durable.Length + keep)].ToArray() : node.Durable;
                node.SetContent(survivor);
                node.Durable = node.Content.ToArray();
            }
        }
    }

    /// <summary>The current content of a file (what a read sees now).</summary>
    public byte[] GetFileBytes(string path)
    {
        lock (_lock)
        {
            return Node(path).Content.ToArray();
        }
    }

    /// <summary>Replaces a file's content (creating it), durably, as a test crafting damaged files would.</summary>
    public void SetFileBytes(string path, ReadOnlySpan<byte> content)
    {
        path = Normalize(path);
        lock (_lock)
        {
            _directories.Add(Parent(path));
            if (!_files.TryGetValue(path, out var node))
            {
                node = new MemoryFileNode();
                _files[path] = node;
            }

            node.SetContent(content);
            node.Durable = content.ToArray();
            _durableNames[path] = node;
        }
    }

    /// <inheritdoc/>
    public bool FileExists(string path)
    {
        lock (_lock)
        {
            return _files.ContainsKey(Normalize(path));
        }
    }

    /// <inheritdoc/>
    public bool DirectoryExists(string path)
    {
        lock (_lock)
        {
            return _directories.Contains(Normalize(path));
        }
    }

    /// <inheritdoc/>
    public void CreateDirectory(string path)
    {
        path = Normalize(path);
        lock (_lock)
        {
            for (var p = path; !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
            {
                if (_files.ContainsKey(p))
                {
                    throw new IOException($"{p} is a file");
                }

                _directories.Add(p);
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> ListFiles(string directory)
    {
        directory = Normalize(directory);
        lock (_lock)
        {
            if (!_directories.Contains(directory))
            {
                throw new DirectoryNotFoundException(directory);
            }

            var names = new List<string>();
            foreach (var path in _files.Keys)
            {
                if (Parent(path) == directory)
                {
                    names.Add(Path.GetFileName(path));
                }
            }

            names.Sort(StringComparer.Ordinal);
            return names;
        }
    }

    /// <inheritdoc/>
    public IStorageFile CreateFile(string path)
    {
        path = Normalize(path);
        lock (_lock)
        {
            if (!_directories.Contains(Parent(path)))
            {
                throw new DirectoryNotFoundException(Parent(path));
            }

            if (_files.TryGetValue(path, out var node))
            {
                node.Truncate(0);
            }
            else
            {
                node = new MemoryFileNode();
                _files[path] = node;
            }

            return new MemoryStorageFile(this, node, path, _generation);
        }
    }

    /// <inheritdoc/>
    public IStorageFile OpenFile(string path)
    {
        path = Normalize(path);
        lock (_lock)
        {
            return new MemoryStorageFile(this, Node(path), path, _generation);
        }
    }

    /// <inheritdoc/>
    public byte[] ReadAllBytes(string path) => GetFileBytes(path);

    /// <inheritdoc/>
    public void Rename(string sourcePath, string destinationPath)
    {
        sourcePath = Normalize(sourcePath);
        destinationPath = Normalize(destinationPath);
        lock (_lock)
        {
            var node = Node(sourcePath);
            _files.Remove(sourcePath);
            _files[destinationPath] = node;
        }
    }

    /// <inheritdoc/>
    public void DeleteFile(string path)
    {
        lock (_lock)
        {
            _files.Remove(Normalize(path));
        }
    }

    /// <inheritdoc/>
    public void SyncDirectory(string path)
    {
        path = Normalize(path);
        lock (_lock)
        {
            foreach (var name in _durableNames.Keys.ToList())
            {
                if (Parent(name) == path)
                {
                    _durableNames.Remove(name);
                }
            }

            foreach (var (name, node) in _files)
            {
                if (Parent(name) == path)
                {
                    _durableNames[name] = node;
                }
            }

            _directorySyncCount++;
        }
    }

    /// <inheritdoc/>
    public IDisposable LockFile(string path)
    {
        path = Normalize(path);
        lock (_lock)
        {
            if (!_files.ContainsKey(path))
            {
                _files[path] = new MemoryFileNode();
            }

            if (!_locks.Add(path))
            {
                throw new IOException($"The process cannot access the file '{path}' because it is being used by another process.");
            }

            return new MemoryLock(this, path, _generation);
        }
    }

    internal T Locked<T>(int generation, MemoryStorageFile file, Func<T> action)
    {
        lock (_lock)
        {
            Check(generation, file);
            return action();
        }
    }

    internal void Locked(int generation, MemoryStorageFile file, Action action)
    {
        lock (_lock)
        {
            Check(generation, file);
            action();
        }
    }

    internal void Append(int generation, MemoryStorageFile file, MemoryFileNode node, ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            Check(generation, file);
            if (WriteError is { } error)
            {
                throw error;
            }

            node.Append(data);
        }
    }

    internal void Sync(int generation, MemoryStorageFile file, MemoryFileNode node)
    {
        BeforeSync?.Invoke(file.Path);
        lock (_lock)
        {
            Check(generation, file);
            if (SyncError is { } error)
            {
                throw error;
            }

            node.Durable = node.Content.ToArray();
            _fileSyncCount++;
        }
    }

    private void Unlock(string path, int generation)
    {
        lock (_lock)
        {
            if (generation == _generation)
            {
                _locks.Remove(path);
            }
        }
    }

    private void Check(int generation, MemoryStorageFile file)
    {
        file.ThrowIfDisposed();
        if (generation != _generation)
        {
            throw new ObjectDisposedException(file.Path, "the file system crashed after this file was opened");
        }
    }

    private MemoryFileNode Node(string path) =>
        _files.TryGetValue(Normalize(path), out var node) ? node : throw new FileNotFoundException("no such file", path);

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static string Parent(string path) => Path.GetDirectoryName(path) ?? string.Empty;

    private sealed class MemoryLock(MemoryStorageFileSystem fileSystem, string path, int generation) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                fileSystem.Unlock(path, generation);
            }
        }
    }
}
