using System.Buffers;

namespace AntiEtcd.Storage;

/// <summary>Snapshot files: saved atomically (temp file, fsync, rename, directory fsync), loaded newest valid first.</summary>
/// <remarks>
/// <para>Threading: one save at a time (an overlapping save throws <see cref="InvalidOperationException"/>); <see cref="List"/> and
/// <see cref="LoadNewestValid"/> may run at any time but are meant for start-up. Save and load do blocking file I/O;
/// the bytes overload of save runs it on a thread-pool thread.</para>
/// <para>Fail-stop: a failed save throws <see cref="StorageFailedException"/>; the node must stop (SPEC §9.2).</para>
/// </remarks>
public sealed class SnapshotStore
{
    // How much a stream save asks its stream for at a time.
    private const int ReadSize = 128 * 1024;

    private readonly string _directory;
    private readonly IStorageFileSystem _fileSystem;
    private readonly IFailpoints _failpoints;
    private readonly int _retain;
    private int _saving;

    private SnapshotStore(string directory, IStorageFileSystem fileSystem, IFailpoints failpoints, int retain)
    {
        _directory = directory;
        _fileSystem = fileSystem;
        _failpoints = failpoints;
        _retain = retain;
    }

    /// <summary>Opens the snapshot directory (created if missing) and deletes temporary files left by an interrupted save.</summary>
    /// <param name="directory">The data directory's <see cref="DataDirectory.SnapshotDirectory"/>.</param>
    /// <param name="fileSystem">The file system; null for <see cref="PhysicalStorageFileSystem.Instance"/>.</param>
    /// <param name="failpoints">Failure injection; null for <see cref="NoFailpoints.Instance"/>.</param>
    /// <param name="retain">How many of the newest snapshots to keep after a save (at least 1, the default).</param>
    /// <returns>The store.</returns>
    public static SnapshotStore Open(string directory, IStorageFileSystem? fileSystem = null, IFailpoints? failpoints = null, int retain = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(retain, 1);
        fileSystem ??= PhysicalStorageFileSystem.Instance;
        fileSystem.CreateDirectory(directory);
        foreach (var name in fileSystem.ListFiles(directory))
        {
            if (name.EndsWith(WalFormat.TempSuffix, StringComparison.Ordinal))
            {
                fileSystem.DeleteFile(Path.Combine(directory, name));
            }
        }

        return new SnapshotStore(directory, fileSystem, failpoints ?? NoFailpoints.Instance, retain);
    }

    /// <summary>The snapshot files by name, newest (highest index, then term) first; their content is not verified.</summary>
    public IReadOnlyList<SnapshotInfo> List()
    {
        var list = new List<SnapshotInfo>();
        foreach (var name in _fileSystem.ListFiles(_directory))
        {
            if (SnapshotFormat.TryParseFileName(name, out var index, out var term))
            {
                list.Add(new SnapshotInfo(index, term, Path.Combine(_directory, name)));
            }
        }

        list.Sort(static (a, b) => a.Index != b.Index ? b.Index.CompareTo(a.Index) : b.Term.CompareTo(a.Term));
        return list;
    }

    /// <summary>Saves a snapshot durably, then deletes older ones beyond the retained count.</summary>
    /// <param name="index">The last log index the snapshot covers.</param>
    /// <param name="term">The term of that index.</param>
    /// <param name="data">The serialized state; read during the call only.</param>
    /// <param name="cancellationToken">Cancels the save (the temporary file is deleted) until the rename.</param>
    /// <returns>The saved file.</returns>
    /// <exception cref="StorageFailedException">A write, fsync or rename failed.</exception>
    public async Task<SnapshotInfo> SaveAsync(ulong index, ulong term, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        EnterSave();
        try
        {
            return await Task.Run(
                () =>
                {
                    var (file, temp, path) = Begin(index, term);
                    return Finish(index, term, file, temp, path, data.Length, Crc32C.Compute(data.Span), data.Span, cancellationToken);
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _saving, 0);
        }
    }

    /// <summary>Saves a snapshot read from <paramref name="data"/> durably, then deletes older ones beyond the retained count.</summary>
    /// <param name="index">The last log index the snapshot covers.</param>
    /// <param name="term">The term of that index.</param>
    /// <param name="data">A readable stream of the serialized state, read to its end.</param>
    /// <param name="cancellationToken">Cancels the save (the temporary file is deleted) until the rename.</param>
    /// <returns>The saved file.</returns>
    /// <exception cref="StorageFailedException">A write, fsync or rename failed (an exception of the stream itself propagates as is).</exception>
    public async Task<SnapshotInfo> SaveAsync(ulong index, ulong term, Stream data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        EnterSave();
        try
        {
            var (file, temp, path) = Begin(index, term);
            using var sink = new SnapshotFileSink(bytes => Write(file, temp, bytes));
            try
            {
                int read;
                while ((read = await data.ReadAsync(sink.GetMemory(ReadSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    sink.Advance(read);
                }

                sink.Flush();
            }
            catch
            {
                Abandon(file, temp);
                throw;
            }

            return Finish(index, term, file, temp, path, sink.Length, sink.Crc, default, cancellationToken);
        }
        finally
        {
            Volatile.Write(ref _saving, 0);
        }
    }

    /// <summary>
    /// Saves a snapshot that <paramref name="write"/> writes, durably, then deletes older ones beyond the retained count.
    /// The bytes go to the file as they are written (a buffer at a time), so the image never has to be in memory whole.
    /// </summary>
    /// <param name="index">The last log index the snapshot covers.</param>
    /// <param name="term">The term of that index.</param>
    /// <param name="write">Writes the serialized state into the buffer writer it is given; runs on a thread-pool thread,
    /// and nothing is renamed into place before it returns.</param>
    /// <param name="cancellationToken">Cancels the save (the temporary file is deleted) until the rename.</param>
    /// <returns>The saved file.</returns>
    /// <exception cref="StorageFailedException">A write, fsync or rename failed (an exception of <paramref name="write"/> propagates as is).</exception>
    public async Task<SnapshotInfo> SaveAsync(ulong index, ulong term, Action<IBufferWriter<byte>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        EnterSave();
        try
        {
            return await Task.Run(
                () =>
                {
                    var (file, temp, path) = Begin(index, term);
                    using var sink = new SnapshotFileSink(data => Write(file, temp, data));
                    try
                    {
                        write(sink);
                        sink.Flush();
                    }
                    catch
                    {
                        // Also after a failed write, which abandoned the file already: a second abandon is harmless.
                        Abandon(file, temp);
                        throw;
                    }

                    return Finish(index, term, file, temp, path, sink.Length, sink.Crc, default, cancellationToken);
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _saving, 0);
        }
    }

    /// <summary>Reads the newest snapshot that is valid and that <paramref name="accept"/> accepts.</summary>
    /// <param name="accept">
    /// Optional test of usability, given the file's index and term; SPEC §9.3 uses it to require that the WAL
    /// continues from the snapshot without a gap.
    /// </param>
    /// <returns>The snapshot, or null, and a warning for every newer file skipped.</returns>
    public SnapshotLoadResult LoadNewestValid(Func<SnapshotInfo, bool>? accept = null)
    {
        var warnings = new List<string>();
        foreach (var info in List())
        {
            if (accept is not null && !accept(info))
            {
                warnings.Add($"snapshot: {info.FilePath}: skipped, the WAL does not continue from index {info.Index}");
                continue;
            }

            byte[] bytes;
            try
            {
                bytes = _fileSystem.ReadAllBytes(info.FilePath);
            }
            catch (IOException ex)
            {
                warnings.Add($"snapshot: {info.FilePath}: skipped, unreadable: {ex.Message}");
                continue;
            }

            if (SnapshotFormat.Verify(bytes, info.Index, info.Term) is { } problem)
            {
                warnings.Add($"snapshot: {info.FilePath}: skipped, {problem}");
                continue;
            }

            var data = new ReadOnlyMemory<byte>(bytes, SnapshotFormat.HeaderSize, bytes.Length - SnapshotFormat.HeaderSize - SnapshotFormat.FooterSize);
            return new SnapshotLoadResult(new StoredSnapshot(info.Index, info.Term, info.FilePath, data), warnings);
        }

        return new SnapshotLoadResult(null, warnings);
    }

    private void EnterSave()
    {
        if (Interlocked.Exchange(ref _saving, 1) != 0)
        {
            throw new InvalidOperationException("a snapshot save is already running; saves must not overlap");
        }
    }

    private (IStorageFile File, string Temp, string Path) Begin(ulong index, ulong term)
    {
        var path = Path.Combine(_directory, SnapshotFormat.FileName(index, term));
        var temp = path + WalFormat.TempSuffix;
        IStorageFile file;
        try
        {
            _failpoints.Hit(FailpointNames.BeforeSnapshotSave);
            file = _fileSystem.CreateFile(temp);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Failure(temp, ex);
        }

        Span<byte> header = stackalloc byte[SnapshotFormat.HeaderSize];
        SnapshotFormat.WriteHeader(header, index, term);
        Write(file, temp, header);
        return (file, temp, path);
    }

    private SnapshotInfo Finish(ulong index, ulong term, IStorageFile file, string temp, string path, long length, uint crc,
        ReadOnlySpan<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            if (!data.IsEmpty)
            {
                file.Append(data);
            }

            Span<byte> header = stackalloc byte[SnapshotFormat.HeaderSize];
            SnapshotFormat.WriteHeader(header, index, term);
            Span<byte> footer = stackalloc byte[SnapshotFormat.FooterSize];
            SnapshotFormat.WriteFooter(footer, header, length, crc);
            file.Append(footer);
            file.Sync();
            file.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
        }
        catch (Exception ex)
        {
            Abandon(file, temp);
            throw ex is OperationCanceledException ? ex : Failure(temp, ex);
        }

        try
        {
            _fileSystem.Rename(temp, path);
            _failpoints.Hit(FailpointNames.AfterSnapshotRename);
            _fileSystem.SyncDirectory(_directory);
            var all = List();
            for (var i = _retain; i < all.Count; i++)
            {
                if (all[i].Index < index || (all[i].Index == index && all[i].Term < term))
                {
                    _fileSystem.DeleteFile(all[i].FilePath);
                }
            }

            return new SnapshotInfo(index, term, path);
        }
        catch (Exception ex)
        {
            throw Failure(path, ex);
        }
    }

    private void Write(IStorageFile file, string temp, ReadOnlySpan<byte> data)
    {
        try
        {
            file.Append(data);
        }
        catch (Exception ex)
        {
            Abandon(file, temp);
            throw Failure(temp, ex);
        }
    }

    /// <summary>Best-effort cleanup of a save that will not complete; start-up deletes the temporary file anyway.</summary>
    private void Abandon(IStorageFile file, string temp)
    {
        file.Dispose();
        try
        {
            _fileSystem.DeleteFile(temp);
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static StorageFailedException Failure(string path, Exception cause) => cause as StorageFailedException ?? new($"snapshot: {path}: {cause.Message}", cause);
}
