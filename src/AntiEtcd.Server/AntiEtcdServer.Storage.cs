using System.Buffers;
using System.Runtime;
using System.Runtime.CompilerServices;
using AntiEtcd.Mvcc;
using AntiEtcd.Server.Node;
using AntiEtcd.Storage;

namespace AntiEtcd.Server;

public sealed partial class AntiEtcdServer
{
    private DataDirectory? _dataDirectory;
    private SnapshotStore? _snapshots;
    private ulong _lastSnapshotIndex;
    private Task _snapshotTask = Task.CompletedTask;
    private Task? _autoCompaction;
    private int _failed;

    /// <summary>Whether a graceful stop writes a snapshot; tests turn it off to leave the state a crash would.</summary>
    internal bool SnapshotOnStop { get; set; } = true;

    /// <summary>The file system storage uses; tests inject failures through it (never a global toggle).</summary>
    internal IStorageFileSystem? StorageFileSystem { get; set; }
    private Exception? _failureCause;

    /// <summary>Bytes of snapshot and WAL records the last recovery read.</summary>
    private long _recoveryBytesRead;

    /// <summary>
    /// Opens the data directory and recovers (SPEC §9.3): the newest valid snapshot from which the
    /// WAL continues without a gap, then every logged write after it, applied exactly as it was.
    /// </summary>
    /// <returns>The recovered store and the log index it reflects.</returns>
    /// <remarks>
    /// Synchronous, and run by the caller on a worker thread as one unit
    /// (<see cref="RecoverOffThreadAsync{T}"/>), so that the files read here are unreachable once it
    /// returns.
    /// </remarks>
    private (MvccStore Store, ulong AppliedIndex) OpenStorage(string path)
    {
        var (wal, recovery, loaded) = OpenDataDirectory(path);
        _wal = wal;

        MvccStore store;
        ulong applied;
        var volatileKeys = BeginVolatileRecovery();
        if (loaded.Snapshot is { } snapshot)
        {
            try
            {
                store = MvccStore.ReadSnapshot(snapshot.Data.Span, out var snapshotVolatileKeys);
                volatileKeys?.AddRange(snapshotVolatileKeys);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{snapshot.FilePath}: {ex.Message}", ex);
            }

            applied = snapshot.Index;
            _lastSnapshotIndex = snapshot.Index;
        }
        else
        {
            if (recovery.Entries.Count > 0 && recovery.FirstIndex > 1)
            {
                throw new IOException($"{_dataDirectory!.WalDirectory}: the log starts at entry {recovery.FirstIndex} and no snapshot covers the entries before it");
            }

            store = new MvccStore();
            applied = 0;
        }

        foreach (var entry in recovery.Entries)
        {
            if (entry.Index <= applied)
            {
                continue;
            }

            if (entry.Index != applied + 1)
            {
                throw new IOException($"{_dataDirectory!.WalDirectory}: entry {entry.Index} follows {applied}: the log has a gap");
            }

            Command command;
            try
            {
                command = CommandCodec.Decode(entry.Payload.Span);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{_dataDirectory!.WalDirectory}: log entry {entry.Index}: {ex.Message}", ex);
            }

            var (_, response) = CommandApplier.Apply(store, Lessor, command);
            volatileKeys?.Replayed(command, response, store.LastEvents);
            OnImportReplayed(response);
            applied = entry.Index;
        }

        // Deadlines are not stored: a restart refreshes every lease to a full TTL, as a new leader
        // does (SPEC §8.6), so no lease is ever shortened by a restart.
        foreach (var id in store.GetLeaseIds())
        {
            if (store.TryGetLease(id, out var ttl))
            {
                Lessor.Renew(id, ttl);
            }
        }

        _lastIndex = applied;
        Log.Recovered(_logger, path, applied, store.Revision, recovery.TornTail is null ? "none" : recovery.TornTail.Reason);
        return (store, applied);
    }

    /// <summary>
    /// Opens the data directory, its snapshots and its WAL (SPEC §9.1, §9.3), logging every warning, and loads the newest
    /// valid snapshot from which the WAL continues without a gap. Shared by single nodes and cluster nodes.
    /// </summary>
    private (Wal Wal, WalRecovery Recovery, SnapshotLoadResult Snapshot) OpenDataDirectory(string path)
    {
        _dataDirectory = DataDirectory.Open(path, NodeId, ClusterId, StorageFileSystem);
        foreach (var warning in _dataDirectory.Warnings)
        {
            Log.StorageWarning(_logger, warning);
        }

        _snapshots = SnapshotStore.Open(_dataDirectory.SnapshotDirectory, StorageFileSystem);
        var (wal, recovery) = Wal.Open(
            _dataDirectory.WalDirectory,
            new WalOptions
            {
                PersistInterval = TimeSpan.FromMilliseconds(_options.PersistInterval),
                TimeProvider = _time,
                SyncObserver = RecordWalFsync,
            },
            StorageFileSystem,
            null);
        foreach (var warning in recovery.Warnings)
        {
            Log.StorageWarning(_logger, warning);
        }

        // Capture the index, not the recovery: a lambda capturing `recovery` shares its closure
        // object with every other lambda of this method, and a closure that outlives the method
        // (the WAL keeps its options) would keep every WAL segment read here alive, since the
        // recovered records are slices of them (54 MB at 1,000,000 keys, docs/benchmarks.md).
        var firstIndex = recovery.FirstIndex;
        var loaded = _snapshots.LoadNewestValid(s => s.Index + 1 >= firstIndex);
        foreach (var warning in loaded.Warnings)
        {
            Log.StorageWarning(_logger, warning);
        }

        long read = loaded.Snapshot?.Data.Length ?? 0;
        foreach (var record in recovery.Records)
        {
            read += record.Payload.Length;
        }

        _recoveryBytesRead = read;
        return (wal, recovery, loaded);
    }

    /// <summary>
    /// Runs a synchronous recovery (<see cref="OpenStorage"/>, <see cref="RecoverRaft"/>) on a
    /// worker thread and then returns the memory it read from disk to the OS.
    /// </summary>
    /// <remarks>
    /// The snapshot image and the WAL segments are read whole, into large-object-heap arrays as
    /// large as the store (130 + 54 MB at 1,000,000 keys, docs/benchmarks.md). Once free, the GC
    /// keeps those regions committed: an ordinary collection does not return them, so a restarted
    /// node held them as resident memory for good. An aggressive (compacting, decommitting)
    /// collection does, but only when nothing references them any more, and a frame still on the
    /// stack may: the recovery's locals stay reported live while its frame exists (always so for
    /// code run once, which is not optimized), and continuations of an async recovery ran inline
    /// on top of those frames. So the recovery is one synchronous call that has returned, and
    /// unwound, before the collection runs here. It blocks every thread once, before the listener
    /// opens; recoveries that read less than 16 MiB skip it.
    /// </remarks>
    private async Task<T> RecoverOffThreadAsync<T>(Func<T> recover, CancellationToken cancellationToken)
    {
        var result = await Task.Run(recover, cancellationToken).ConfigureAwait(false);
        const long Threshold = 16 << 20;
        if (_recoveryBytesRead >= Threshold)
        {
            // A duration for the log line, not a clock read for the state machine.
            var started = _time.GetTimestamp();
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            var milliseconds = (long)_time.GetElapsedTime(started).TotalMilliseconds;
            var heap = GC.GetTotalMemory(false);
            Log.RecoveryMemoryReleased(_logger, _recoveryBytesRead, milliseconds, heap);
        }

        return result;
    }

    /// <summary>The WAL's fsync observer; a method, so the WAL's options hold nothing but this server.</summary>
    private void RecordWalFsync(TimeSpan elapsed) => Metrics.WalFsyncDuration.Record(elapsed.TotalSeconds);

    /// <summary>
    /// Runs on the apply loop after each applied write: when a snapshot is due, the store is captured here (a
    /// consistent view at this index), then serialized and written to disk in the background, after which the older
    /// log segments are released.
    /// </summary>
    /// <remarks>
    /// Only the capture (a reference per key) runs on the loop; the snapshot store serializes it on a worker thread as it
    /// writes the file. Serializing a large store takes hundreds of milliseconds, which every write waited for when it
    /// ran here (docs/persistence.md, "Snapshots and start-up").
    /// </remarks>
    private void AfterWrite(ulong index)
    {
        MaybeCompact();
        if (_snapshots is null || !SnapshotDue(index) || !_snapshotTask.IsCompleted)
        {
            return;
        }

        _lastSnapshotIndex = index;
        _snapshotTask = SaveSnapshotAsync(index, _store.CaptureSnapshot());
    }

    /// <summary>
    /// Whether the log since the last snapshot is long enough for a new one: at least
    /// <c>snapshot_entries</c> entries, and at least a quarter as many entries as the store has keys.
    /// </summary>
    /// <remarks>
    /// A snapshot costs time in proportion to the store, so a fixed interval makes every write pay
    /// more as the store grows (at 1,000,000 keys, an image of 180 MB every 10,000 writes took 20-40%
    /// of the throughput, docs/benchmarks.md). Scaling the interval with the key count keeps the
    /// snapshot cost per write constant, while the log a restart replays stays bounded by a
    /// quarter of the store's size in entries.
    /// </remarks>
    private bool SnapshotDue(ulong index)
    {
        var interval = Math.Max((ulong)_options.SnapshotEntries, (ulong)(_store.KeyCount / 4));
        return index - _lastSnapshotIndex >= interval;
    }

    /// <summary>
    /// Automatic compaction (SPEC §2.5): once <c>revision − compact_revision ≥ 2 × compact_revisions</c>,
    /// the leader proposes a compaction to <c>revision − compact_revisions</c> through the log, so
    /// every node compacts at the same point. Runs on the loop; one proposal at a time.
    /// </summary>
    private void MaybeCompact()
    {
        long keep = _options.CompactRevisions;
        if (keep <= 0 || _autoCompaction is { IsCompleted: false } || _store.Revision - _store.CompactRevision < 2 * keep || _stopping)
        {
            return;
        }

        _autoCompaction = CompactAutomaticallyAsync(_store.Revision - keep);
    }

    private async Task CompactAutomaticallyAsync(long revision)
    {
        try
        {
            await ProposeAsync(new Command { Type = CommandType.Compact, Revision = revision }, static (Api.CompactionResponse r) => r.Header, null, CancellationToken.None).ConfigureAwait(false);
            Log.AutoCompacted(_logger, revision);
        }
        catch (AntiEtcdRequestException ex)
        {
            // Stopping, or already compacted further by a client: nothing to do.
            Log.AutoCompactionSkipped(_logger, revision, ex.Message);
        }
    }

    /// <summary>The snapshot image of <paramref name="store"/>: its persisted form (SPEC §9.4), or the complete state.</summary>
    private ReadOnlyMemory<byte> SerializeStore(MvccStore store, bool persistedForm) => SerializeView(store.CaptureSnapshot(), persistedForm);

    /// <summary>The snapshot image of a captured store, on any thread: its persisted form (SPEC §9.4), or the complete state.</summary>
    private ReadOnlyMemory<byte> SerializeView(SnapshotView view, bool persistedForm)
    {
        // Sized up front: growing by doubling would copy a large image several times.
        var image = new ArrayBufferWriter<byte>((int)Math.Min(Array.MaxLength, view.EstimatedSizeBytes + (16 * view.KeyCount) + (1 << 16)));
        WriteImage(view, image, persistedForm);
        return image.WrittenMemory;
    }

    /// <summary>
    /// Writes a captured store's image into <paramref name="output"/>: its persisted form (SPEC §9.4), or the complete
    /// state. A persisted form that filtered anything sets the directory's filtered flag first, before the image can
    /// replace the log that it covers. Returns the image's length.
    /// </summary>
    private long WriteImage(SnapshotView view, IBufferWriter<byte> output, bool persistedForm)
    {
        var filtered = new StrongBox<bool>();
        var length = view.Write(output, persistedForm ? SnapshotFilter(filtered) : null);
        if (filtered.Value)
        {
            SetFilteredFlag();
        }

        return length;
    }

    /// <summary>
    /// Serializes a captured store in its persisted form straight into the snapshot file at <paramref name="index"/>: the
    /// image is never in memory whole (a 1,000,000-key store's is 125-180 MB).
    /// </summary>
    private async Task SaveSnapshotAsync(ulong index, SnapshotView view)
    {
        try
        {
            // The store renames the file into place only after the callback, so a filtered flag is set before that.
            long length = 0;
            await _snapshots!.SaveAsync(index, RaftState.Term, output => length = WriteImage(view, output, persistedForm: true), CancellationToken.None)
                .ConfigureAwait(false);
            var term = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(term, RaftState.Term);
            var sequence = _wal!.Append(RecordKind.Snapshot, index, term);
            await _wal.WaitAsync(sequence, CancellationToken.None).ConfigureAwait(false);
            await _wal.ReleaseBeforeAsync(index + 1, CancellationToken.None).ConfigureAwait(false);
            Log.SnapshotSaved(_logger, index, length);
        }
        catch (Exception ex)
        {
            OnStorageFailure(ex);
        }
    }

    /// <summary>
    /// A storage error stops the node (SPEC §9.2, §13.3): calls get 502, the listener closes and
    /// <see cref="Completion"/> faults with the cause. Nothing unwritten is ever acknowledged.
    /// </summary>
    private void OnStorageFailure(Exception cause) => FailStop(cause, storage: true);

    /// <summary>
    /// The one fail-stop path (SPEC §13.3 Failed): for a storage failure (logged here) or a
    /// skipped import with <c>--data</c> (logged by the import). Only the first cause counts.
    /// </summary>
    private void FailStop(Exception cause, bool storage = false)
    {
        if (Interlocked.Exchange(ref _failed, 1) != 0)
        {
            return;
        }

        if (storage)
        {
            Log.StorageFailed(_logger, cause);
        }

        Volatile.Write(ref _failureCause, cause);
        _stopping = true;
        // The stop completes Completion with the cause; it is observed through Completion.
        _ = StopAsync();
    }

    /// <summary>Bytes used by the data directory (SPEC §6.1 dbSize).</summary>
    private long DataDirectorySize()
    {
        if (_dataDirectory is null)
        {
            return Applied.SizeBytes;
        }

        long size = 0;
        var directory = new DirectoryInfo(_dataDirectory.Path);
        if (directory.Exists)
        {
            foreach (var file in directory.EnumerateFiles("*", SearchOption.AllDirectories))
            {
                size += file.Length;
            }
        }

        return size;
    }

    private async Task CloseStorageAsync()
    {
        if (_autoCompaction is not null)
        {
            await _autoCompaction.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _snapshotTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // The apply loop has stopped, so no new one starts: a cluster snapshot still being serialized finds the Raft loop
        // stopped and is dropped, but it must not touch the data directory after it is closed below.
        await _clusterSnapshotTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // A graceful stop leaves a snapshot of everything applied, so the next start reads one
        // snapshot instead of replaying the log since the last one. The loop has stopped: the
        // store has no other user now.
        if (SnapshotOnStop && _snapshots is not null && _wal is not null && Volatile.Read(ref _failureCause) is null
            && _applyLoop is { Completion.IsCompletedSuccessfully: true } loop && loop.State.AppliedIndex > _lastSnapshotIndex)
        {
            var index = loop.State.AppliedIndex;
            _lastSnapshotIndex = index;
            await SaveSnapshotAsync(index, _store.CaptureSnapshot()).ConfigureAwait(false);
        }

        if (_wal is not null)
        {
            try
            {
                await _wal.DisposeAsync().ConfigureAwait(false);
            }
            catch (StorageFailedException ex)
            {
                Log.StorageFailed(_logger, ex);
            }
        }

        _dataDirectory?.Dispose();
    }
}
