namespace AntiEtcd.Storage;

/// <summary>An open file that is only ever appended to, truncated and fsynced (a WAL segment or a snapshot being written).</summary>
/// <remarks>Not thread-safe: one owner at a time (the WAL writer thread, or the thread saving a snapshot).</remarks>
public interface IStorageFile : IDisposable
{
    /// <summary>The full path of the file.</summary>
    string Path { get; }

    /// <summary>The current length in bytes, including bytes not yet fsynced.</summary>
    long Length { get; }

    /// <summary>Writes <paramref name="data"/> at the end of the file (one write call).</summary>
    /// <exception cref="IOException">The write failed (for example ENOSPC); the file's content after the old length is unknown.</exception>
    void Append(ReadOnlySpan<byte> data);

    /// <summary>Cuts the file to <paramref name="length"/> bytes.</summary>
    void Truncate(long length);

    /// <summary>fsync: returns once the content and length are on stable storage.</summary>
    /// <exception cref="IOException">The fsync failed (for example EIO); the storage must fail-stop.</exception>
    void Sync();
}
