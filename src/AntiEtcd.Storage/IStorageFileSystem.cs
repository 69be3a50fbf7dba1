namespace AntiEtcd.Storage;

/// <summary>The file-system operations the storage needs; the seam through which tests inject faults and crashes.</summary>
/// <remarks>
/// <para><see cref="PhysicalStorageFileSystem"/> is the real one; <see cref="MemoryStorageFileSystem"/> keeps files in
/// memory, counts fsyncs, injects write and fsync errors and simulates a crash by dropping what was not fsynced.</para>
/// <para>Implementations must be thread-safe: the WAL writer thread and a snapshot save may use one at the same
/// time (on different files). Paths are full paths built with <see cref="Path.Combine(string, string)"/>.</para>
/// <para>Durability contract (POSIX): file content is durable after <see cref="IStorageFile.Sync"/>; a created,
/// renamed or deleted name is durable only after <see cref="SyncDirectory"/> of its parent.</para>
/// </remarks>
public interface IStorageFileSystem
{
    /// <summary>Whether <paramref name="path"/> is an existing regular file.</summary>
    bool FileExists(string path);

    /// <summary>Whether <paramref name="path"/> is an existing directory.</summary>
    bool DirectoryExists(string path);

    /// <summary>Creates a directory, and missing parents, with mode 0700 on Unix; nothing happens if it exists.</summary>
    void CreateDirectory(string path);

    /// <summary>The names (not paths) of the regular files directly inside <paramref name="directory"/>.</summary>
    IReadOnlyList<string> ListFiles(string directory);

    /// <summary>Creates (or empties) a file with mode 0600 and opens it for appending.</summary>
    IStorageFile CreateFile(string path);

    /// <summary>Opens an existing file for appending; the write position is its end.</summary>
    IStorageFile OpenFile(string path);

    /// <summary>Reads a whole file.</summary>
    byte[] ReadAllBytes(string path);

    /// <summary>Atomically renames a file, replacing <paramref name="destinationPath"/> if it exists.</summary>
    void Rename(string sourcePath, string destinationPath);

    /// <summary>Deletes a file; nothing happens if it does not exist.</summary>
    void DeleteFile(string path);

    /// <summary>fsync of a directory, so that names created, renamed or deleted in it are durable.</summary>
    void SyncDirectory(string path);

    /// <summary>Takes an exclusive lock on <paramref name="path"/> (created if missing) until the result is disposed.</summary>
    /// <exception cref="IOException">Another holder, in this process or another, has the lock.</exception>
    IDisposable LockFile(string path);
}
