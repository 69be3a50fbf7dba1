using System.Buffers;

namespace AntiEtcd.Storage;

/// <content>The writer thread: group commit, rotation, release, fail-stop. Everything here runs on that one thread.</content>
public sealed partial class Wal
{
    /// <summary>How far ahead of the data a segment's space is reserved.</summary>
    private const long ReserveChunk = 4 * 1024 * 1024;

    private readonly ITimer? _timer;

    // Owned by the writer thread.
    private readonly List<WalSegment> _segments;
    private IStorageFile _active;
    private byte[]? _writtenHardState;
    private bool _timerArmed;

    // The end of the active segment's reserved space (0: none), and whether reserving failed for this segment.
    private long _reservedTo;
    private bool _reserveFailed;

    private void RunWriter()
    {
        long written = 0;
        long synced = 0;
        var completed = new List<TaskCompletionSource>();
        try
        {
            while (true)
            {
                ArrayBufferWriter<byte> batch;
                long batchLast;
                ulong batchMaxIndex;
                byte[]? batchHardState;
                bool syncWanted;
                bool stopping;
                List<(ulong Index, TaskCompletionSource Done)>? releases = null;
                lock (_lock)
                {
                    while (_failure is null && _pending.WrittenCount == 0 && _syncRequestedUpTo <= _syncedSequence && !_syncDue
                        && _releaseRequests.Count == 0 && !_disposing)
                    {
                        Monitor.Wait(_lock);
                    }

                    if (_failure is not null)
                    {
                        return;
                    }

                    batch = _pending;
                    _pending = _spare ?? new ArrayBufferWriter<byte>();
                    _spare = null;
                    batchLast = _appendedSequence;
                    batchMaxIndex = _pendingMaxIndex;
                    _pendingMaxIndex = 0;
                    batchHardState = _pendingHardState;
                    _pendingHardState = null;
                    stopping = _disposing;
                    syncWanted = _options.PersistInterval == TimeSpan.Zero || _syncRequestedUpTo > _syncedSequence || _syncDue || stopping;
                    _syncDue = false;
                    if (_releaseRequests.Count > 0)
                    {
                        releases = [.. _releaseRequests];
                        _releaseRequests.Clear();
                    }
                }

                if (batch.WrittenCount > 0)
                {
                    _failpoints.Hit(FailpointNames.BeforeWalSave);
                    if (_active.Length >= _options.SegmentSize)
                    {
                        Rotate();
                        synced = written;
                    }

                    ReserveFor(batch.WrittenCount);
                    _active.Append(batch.WrittenSpan);
                    written = batchLast;
                    _segments[^1].MaxIndex = Math.Max(_segments[^1].MaxIndex, batchMaxIndex);
                    _writtenHardState = batchHardState ?? _writtenHardState;
                }

                if (syncWanted && written > synced)
                {
                    var started = _options.TimeProvider.GetTimestamp();
                    _active.Sync();
                    _options.SyncObserver?.Invoke(_options.TimeProvider.GetElapsedTime(started));
                    synced = written;
                }

                if (batch.WrittenCount > 0)
                {
                    _failpoints.Hit(FailpointNames.AfterWalSave);
                }

                ArmTimer(written > synced);
                if (releases is not null)
                {
                    Release(releases);
                }

                bool stopped;
                lock (_lock)
                {
                    batch.Clear();
                    _spare = batch;
                    _writtenSequence = written;
                    _syncedSequence = synced;
                    var persisted = _options.PersistInterval == TimeSpan.Zero ? synced : written;
                    TakeDone(_persistWaiters, persisted, completed);
                    TakeDone(_syncWaiters, synced, completed);
                    stopped = stopping && _pending.WrittenCount == 0;
                }

                // Outside the lock: a waiter of WaitOnWriterAsync runs its continuation right here.
                foreach (var waiter in completed)
                {
                    waiter.TrySetResult();
                }

                completed.Clear();
                if (stopped)
                {
                    break;
                }
            }

            // A clean stop leaves the segment exactly as long as its records (its records are fsynced already).
            if (_reservedTo > _active.Length)
            {
                SealActive();
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
        finally
        {
            _active.Dispose();
            _stopped.TrySetResult();
        }
    }

    private static void TakeDone(PriorityQueue<TaskCompletionSource, long> waiters, long upTo, List<TaskCompletionSource> done)
    {
        while (waiters.TryPeek(out var waiter, out var sequence) && sequence <= upTo)
        {
            waiters.Dequeue();
            done.Add(waiter);
        }
    }

    /// <summary>
    /// Makes sure the next <paramref name="bytes"/> land in reserved space, reserving up to <see cref="ReserveChunk"/> ahead
    /// (at most to the segment size): appends inside it change no metadata, so their fsync writes the data alone, one write
    /// to the disk instead of two (docs/wal-format.md §4). The zeros after the last record are the one part of a segment a
    /// crash leaves behind; the next open cuts them (§3).
    /// </summary>
    private void ReserveFor(int bytes)
    {
        var end = _active.Length + bytes;
        if (end <= _reservedTo || _reserveFailed)
        {
            return;
        }

        var target = Math.Max(end, Math.Min(_active.Length + ReserveChunk, _options.SegmentSize));
        if (_active.Reserve(target))
        {
            _reservedTo = target;
        }
        else
        {
            // No fallocate here, or no space for the whole chunk: appends extend the file, as they always could.
            _reserveFailed = true;
        }
    }

    /// <summary>Cuts the active segment's unused reserved space, so that it ends with its last record, and fsyncs it.</summary>
    private void SealActive()
    {
        if (_reservedTo > _active.Length)
        {
            _active.Truncate(_active.Length);
        }

        _active.Sync();
        _reservedTo = 0;
        _reserveFailed = false;
    }

    /// <summary>Closes the full active segment (sealed) and starts the next one, headed by the latest hard state.</summary>
    private void Rotate()
    {
        SealActive();
        var sequence = _segments[^1].Sequence + 1;
        var next = CreateSegment(_fileSystem, _directory, sequence, _writtenHardState);
        _active.Dispose();
        _active = next;
        _segments.Add(new WalSegment(sequence, next.Path));
    }

    /// <summary>Creates a segment as a temporary file (header, optional hard state), fsyncs it, renames it and fsyncs the directory.</summary>
    private static IStorageFile CreateSegment(IStorageFileSystem fileSystem, string directory, ulong sequence, byte[]? hardStateRecord)
    {
        var path = Path.Combine(directory, WalFormat.SegmentName(sequence));
        var temp = path + WalFormat.TempSuffix;
        using (var file = fileSystem.CreateFile(temp))
        {
            Span<byte> header = stackalloc byte[WalFormat.SegmentHeaderSize];
            WalFormat.WriteSegmentHeader(header, sequence);
            file.Append(header);
            if (hardStateRecord is not null)
            {
                file.Append(hardStateRecord);
            }

            file.Sync();
        }

        fileSystem.Rename(temp, path);
        fileSystem.SyncDirectory(directory);
        return fileSystem.OpenFile(path);
    }

    private void Release(List<(ulong Index, TaskCompletionSource Done)> requests)
    {
        var index = 0UL;
        foreach (var request in requests)
        {
            index = Math.Max(index, request.Index);
        }

        try
        {
            ReleaseSegments(index);
        }
        catch (Exception ex)
        {
            foreach (var request in requests)
            {
                request.Done.TrySetException(ex);
            }

            throw;
        }

        foreach (var request in requests)
        {
            request.Done.TrySetResult();
        }
    }

    private void ReleaseSegments(ulong index)
    {
        var count = 0;
        while (count < _segments.Count - 1 && _segments[count].MaxIndex < index)
        {
            count++;
        }

        if (count > 0)
        {
            for (var i = 0; i < count; i++)
            {
                _fileSystem.DeleteFile(_segments[i].Path);
            }

            _segments.RemoveRange(0, count);
            _fileSystem.SyncDirectory(_directory);
        }
    }

    private void ArmTimer(bool unsynced)
    {
        if (_timer is null || unsynced == _timerArmed)
        {
            return;
        }

        _timerArmed = unsynced;
        _timer.Change(unsynced ? _options.PersistInterval : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private void OnSyncTimer()
    {
        lock (_lock)
        {
            _syncDue = true;
            Monitor.Pulse(_lock);
        }
    }

    private void Fail(Exception cause)
    {
        var failure = new StorageFailedException($"wal: {_directory}: {cause.Message}", cause);
        List<(ulong Index, TaskCompletionSource Done)> releases;
        var waiters = new List<TaskCompletionSource>();
        lock (_lock)
        {
            _failure = failure;
            TakeDone(_persistWaiters, long.MaxValue, waiters);
            TakeDone(_syncWaiters, long.MaxValue, waiters);
            releases = [.. _releaseRequests];
            _releaseRequests.Clear();
        }

        // Outside the lock, like every completion: a continuation may run right here.
        foreach (var waiter in waiters)
        {
            waiter.TrySetException(failure);
        }

        foreach (var request in releases)
        {
            request.Done.TrySetException(failure);
        }

        _failed.TrySetResult(failure);
    }
}
