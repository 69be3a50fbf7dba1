namespace AntiEtcd.Storage;

/// <summary>An open handle on a <see cref="MemoryStorageFileSystem"/> file; it stops working after a simulated crash.</summary>
internal sealed class MemoryStorageFile(MemoryStorageFileSystem fileSystem, MemoryFileNode node, string path, int generation) : IStorageFile
{
    private bool _disposed;

    public string Path { get; } = path;

    public long Length => fileSystem.Locked(generation, this, () => node.Length);

    public void Append(ReadOnlySpan<byte> data) => fileSystem.Append(generation, this, node, data);

    /// <summary>In memory there is no inode to spare: never reserves, so appends always extend the file.</summary>
    public bool Reserve(long length) => false;

    public void Truncate(long length) => fileSystem.Locked(generation, this, () => node.Truncate(checked((int)length)));

    public void Sync() => fileSystem.Sync(generation, this, node);

    public void Dispose() => _disposed = true;

    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
