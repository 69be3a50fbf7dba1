using System.Buffers;

namespace AntiEtcd.Storage;

/// <summary>The write-ahead log: segments of CRC-protected records, written by one thread with group commit (docs/wal-format.md).</summary>
/// <remarks>
/// <para>Threading: <see cref="Append"/>, <see cref="WaitAsync"/>, <see cref="SyncAsync"/> and
/// <see cref="ReleaseBeforeAsync"/> may be called from any thread. Records are written in the order
/// <see cref="Append"/> returned their sequence numbers. All file I/O happens on one dedicated thread, which takes
/// every record pending at that moment, writes them with one call and (with <see cref="WalOptions.PersistInterval"/>
/// zero) fsyncs once before it completes their waiters: concurrent appends share one fsync.</para>
/// <para>Sequence numbers count the records appended since this instance was opened, from 1; they are not stored.</para>
/// <para>Fail-stop: the first I/O error (or throwing failpoint) fails the WAL for good; see <see cref="Failed"/>.</para>
/// <para>Only one <see cref="Wal"/> may use a directory; the data directory's lock (<see cref="DataDirectory"/>)
/// guarantees it across processes.</para>
/// </remarks>
public sealed partial class Wal : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly string _directory;
    private readonly IStorageFileSystem _fileSystem;
    private readonly IFailpoints _failpoints;
    private readonly WalOptions _options;
    private readonly LogIndexTracker _tracker;
    private readonly TaskCompletionSource<StorageFailedException?> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PriorityQueue<TaskCompletionSource, long> _persistWaiters = new();
    private readonly PriorityQueue<TaskCompletionSource, long> _syncWaiters = new();
    private readonly List<(ulong Index, TaskCompletionSource Done)> _releaseRequests = [];
    private readonly Thread _thread;

    // Guarded by _lock: the pending batch and the watermarks.
    private ArrayBufferWriter<byte> _pending = new(64 * 1024);
    private ArrayBufferWriter<byte>? _spare = new(64 * 1024);
    private ulong _pendingMaxIndex;
    private byte[]? _pendingHardState;
    private long _appendedSequence;
    private long _writtenSequence;
    private long _syncedSequence;
    private long _syncRequestedUpTo;
    private bool _syncDue;
    private bool _disposing;
    private StorageFailedException? _failure;

    private Wal(string directory, IStorageFileSystem fileSystem, IFailpoints failpoints, WalOptions options, LogIndexTracker tracker,
        List<WalSegment> segments, IStorageFile active, byte[]? lastHardState)
    {
        _directory = directory;
        _fileSystem = fileSystem;
        _failpoints = failpoints;
        _options = options;
        _tracker = tracker;
        _segments = segments;
        _active = active;
        _writtenHardState = lastHardState;
        _timer = options.PersistInterval > TimeSpan.Zero
            ? options.TimeProvider.CreateTimer(static state => ((Wal)state!).OnSyncTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan)
            : null;
        _thread = new Thread(RunWriter) { IsBackground = true, Name = "antietcd-wal" };
        _thread.Start();
    }

    /// <summary>Completes with the failure when the WAL fails (fail-stop), or with null when it is disposed without one.</summary>
    /// <remarks>A node watches it so that a failed background fsync (with a persist interval) stops it even when nobody waits.</remarks>
    public Task<StorageFailedException?> Failed => _failed.Task;

    /// <summary>The sequence number of the last record appended to this instance (0 if none).</summary>
    public long LastSequence
    {
        get
        {
            lock (_lock)
            {
                return _appendedSequence;
            }
        }
    }

    /// <summary>Queues a record for writing and returns its sequence number; does not wait for the disk.</summary>
    /// <param name="kind">The record kind.</param>
    /// <param name="index">The log index for <see cref="RecordKind.Entry"/> and <see cref="RecordKind.Snapshot"/>; 0 for <see cref="RecordKind.HardState"/>.</param>
    /// <param name="payload">The caller's bytes (at most 1 GiB); copied before the call returns.</param>
    /// <returns>The sequence number to pass to <see cref="WaitAsync"/> or <see cref="SyncAsync"/>.</returns>
    /// <remarks>
    /// The index must follow the rules of docs/wal-format.md §2.3 (an entry at i needs base &lt; i ≤ last + 1, and
    /// replaces entries from i on), so that what is written always reads back.
    /// </remarks>
    /// <exception cref="ArgumentException">The kind, index or payload length is not allowed.</exception>
    /// <exception cref="StorageFailedException">The WAL has failed.</exception>
    /// <exception cref="ObjectDisposedException">The WAL is disposed.</exception>
    public long Append(RecordKind kind, ulong index, ReadOnlySpan<byte> payload)
    {
        if (!WalFormat.IsValidKind((byte)kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown record kind");
        }

        if (payload.Length > WalFormat.MaxPayloadLength)
        {
            throw new ArgumentException($"a record payload is limited to {WalFormat.MaxPayloadLength} bytes", nameof(payload));
        }

        if (kind == RecordKind.HardState)
        {
            index = 0;
        }

        Span<byte> header = stackalloc byte[WalFormat.RecordHeaderSize];
        WalFormat.WriteRecordHeader(header, kind, index, payload);
        lock (_lock)
        {
            ThrowIfUnusable();
            if (_tracker.Check(kind, index) is { } problem)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, problem);
            }

            _tracker.Apply(kind, index, out _, out _);
            header.CopyTo(_pending.GetSpan(WalFormat.RecordHeaderSize));
            _pending.Advance(WalFormat.RecordHeaderSize);
            payload.CopyTo(_pending.GetSpan(payload.Length));
            _pending.Advance(payload.Length);
            if (kind == RecordKind.HardState)
            {
                _pendingHardState = [.. header, .. payload];
            }
            else
            {
                _pendingMaxIndex = Math.Max(_pendingMaxIndex, index);
            }

            _appendedSequence++;
            Monitor.Pulse(_lock);
            return _appendedSequence;
        }
    }

    /// <summary><see cref="Append"/>, then <see cref="WaitAsync"/>.</summary>
    /// <param name="kind">The record kind.</param>
    /// <param name="index">The log index (see <see cref="Append"/>).</param>
    /// <param name="payload">The caller's bytes; copied before the method returns its task.</param>
    /// <param name="cancellationToken">Stops the wait only: the record is written anyway.</param>
    /// <returns>The record's sequence number.</returns>
    public async Task<long> AppendAsync(RecordKind kind, ulong index, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var sequence = Append(kind, index, payload.Span);
        await WaitAsync(sequence, cancellationToken).ConfigureAwait(false);
        return sequence;
    }

    /// <summary>Completes when the record <paramref name="sequence"/> and all before it are persisted as <see cref="WalOptions.PersistInterval"/> says.</summary>
    /// <param name="sequence">A number returned by <see cref="Append"/>.</param>
    /// <param name="cancellationToken">Stops the wait only: the records are written anyway.</param>
    /// <returns>
    /// A task that completes once fsynced (interval zero) or written (interval X &gt; 0), or fails with
    /// <see cref="StorageFailedException"/> if the WAL fails first.
    /// </returns>
    public Task WaitAsync(long sequence, CancellationToken cancellationToken) => WaitCoreAsync(sequence, sync: false, cancellationToken);

    /// <summary>Completes when the record <paramref name="sequence"/> and all before it are fsynced, whatever the persist interval.</summary>
    /// <param name="sequence">A number returned by <see cref="Append"/>.</param>
    /// <param name="cancellationToken">Stops the wait only.</param>
    /// <returns>A task that completes once fsynced, or fails with <see cref="StorageFailedException"/>.</returns>
    /// <remarks>For the Raft term and vote, which SPEC §8.2 requires fsynced before a node acts on them. Triggers an fsync at once.</remarks>
    public Task SyncAsync(long sequence, CancellationToken cancellationToken) => WaitCoreAsync(sequence, sync: true, cancellationToken);

    /// <summary>
    /// Like <see cref="SyncAsync"/> when <paramref name="sync"/>, else <see cref="WaitAsync"/>, except that the caller's
    /// continuation runs on the writer thread as soon as the batch is done, instead of being queued to the thread pool.
    /// </summary>
    /// <remarks>
    /// For a single writer that appends its next batch from that continuation (a cluster node's Raft loop): under load it
    /// then runs on the writer thread from batch to batch, one thread switch less per batch, and the writer takes its
    /// next batch when the continuation next waits. The continuation runs outside the WAL's lock, but it holds up the
    /// writer, so it must be short and must never block on this WAL.
    /// </remarks>
    public Task WaitOnWriterAsync(long sequence, bool sync) => WaitCoreAsync(sequence, sync, CancellationToken.None, onWriter: true);

    /// <summary>Deletes old segments whose entries and snapshot records all have indexes below <paramref name="index"/>.</summary>
    /// <param name="index">The first index still needed; call only after a snapshot at <paramref name="index"/> − 1 or later is durable and its <see cref="RecordKind.Snapshot"/> record appended.</param>
    /// <param name="cancellationToken">Stops the wait only.</param>
    /// <returns>A task that completes when the files are deleted and the directory is fsynced.</returns>
    /// <remarks>The active segment is never deleted; the latest hard state is always in it (docs/wal-format.md §2.4).</remarks>
    public Task ReleaseBeforeAsync(ulong index, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_failure is not null)
            {
                return Task.FromException(_failure);
            }

            ObjectDisposedException.ThrowIf(_disposing, this);
            _releaseRequests.Add((index, done));
            Monitor.Pulse(_lock);
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes and fsyncs every pending record, completes their waiters, stops the writer thread and closes the files.</summary>
    /// <returns>A task that completes when the writer has stopped; it does not throw for a failed WAL.</returns>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposing = true;
            Monitor.Pulse(_lock);
        }

        await _stopped.Task.ConfigureAwait(false);
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        _failed.TrySetResult(null);
    }

    private Task WaitCoreAsync(long sequence, bool sync, CancellationToken cancellationToken, bool onWriter = false)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_failure is not null)
            {
                return Task.FromException(_failure);
            }

            ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, _appendedSequence);
            var done = sync || _options.PersistInterval == TimeSpan.Zero ? _syncedSequence : _writtenSequence;
            if (sequence <= done)
            {
                return Task.CompletedTask;
            }

            waiter = new TaskCompletionSource(onWriter ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
            if (sync)
            {
                _syncWaiters.Enqueue(waiter, sequence);
                _syncRequestedUpTo = Math.Max(_syncRequestedUpTo, sequence);
                Monitor.Pulse(_lock);
            }
            else
            {
                _persistWaiters.Enqueue(waiter, sequence);
            }
        }

        return cancellationToken.CanBeCanceled ? waiter.Task.WaitAsync(cancellationToken) : waiter.Task;
    }

    private void ThrowIfUnusable()
    {
        if (_failure is not null)
        {
            throw new StorageFailedException(_failure.Message, _failure.InnerException ?? _failure);
        }

        ObjectDisposedException.ThrowIf(_disposing, this);
    }
}
