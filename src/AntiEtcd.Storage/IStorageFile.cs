namespace AntiEtcd.Storage;

/// <summary>An open file that is only ever appended to, truncated and fsynced (a WAL segment or a snapshot being written).</summary>
/// <remarks>Not thread-safe: one owner at a time (the WAL writer thread, or the thread saving a snapshot).</remarks>
public interface IStorageFile : IDisposable
{
    /// <summary>The full path of the file.</summary>
    string Path { get; }

    /// <summary>The end of the appended data in bytes, including bytes not yet fsynced (reserved space beyond it excluded).</summary>
    long Length { get; }

    /// <summary>
    /// Extends the file with zeros to <paramref name="length"/> bytes, allocating the blocks now, so that appends inside that
    /// space change neither the size nor the allocation and their <see cref="Sync"/> writes the data alone, not the inode
    /// too (docs/wal-format.md §4). <see cref="Length"/> stays the end of the appended data.
    /// </summary>
    /// <returns>False, with nothing changed, where the space cannot be reserved (no <c>fallocate</c>, no space left): appends then extend the file as before.</returns>
    bool Reserve(long length);

    /// <summary>Writes <paramref name="data"/> at the end of the file (one write call).</summary>
    /// <exception cref="IOException">The write failed (for example ENOSPC); the file's content after the old length is unknown.</exception>
    void Append(ReadOnlySpan<byte> data);

    /// <summary>Cuts the file to <paramref name="length"/> bytes, reserved space included.</summary>
    void Truncate(long length);

    /// <summary>
    /// fsync: returns once the content and length are on stable storage (<c>fdatasync</c> on Linux: the data and the metadata
    /// needed to read it back, such as the size, without timestamps).
    /// </summary>
    /// <exception cref="IOException">The fsync failed (for example EIO); the storage must fail-stop.</exception>
    void Sync();
}
