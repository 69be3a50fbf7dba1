using System.Threading.Channels;
using AntiEtcd.Mvcc;
using AntiEtcd.Storage;

namespace AntiEtcd.Server.Node;

/// <summary>
/// The single owner of the <see cref="MvccStore"/>: every read and every write runs here, one at a
/// time, in arrival order (DESIGN §2: one writer per piece of state).
/// </summary>
/// <remarks>
/// Callers on any thread enqueue operations. A logged write carries its WAL sequence and is
/// applied only once that record is durable, so no read can observe a write a crash could undo;
/// writes queued meanwhile share the same fsync (group commit), and the loop then applies them in
/// one quick run. After each operation the loop publishes an <see cref="AppliedState"/>, runs the
/// after-operation hook (watch delivery), then completes the caller.
/// </remarks>
internal sealed class ApplyLoop
{
    private MvccStore _store;
    private readonly Action<MvccStore> _afterOperation;
    private readonly Action<ulong>? _afterWrite;
    private readonly Wal? _wal;
    private readonly Action<Exception> _onStorageFailure;
    // Unbounded: a proposal is queued under the proposal lock, in log order, and must never wait
    // there; the number of requests in flight is bounded by the HTTP server instead.
    private readonly Channel<StoreOperation> _queue = Channel.CreateUnbounded<StoreOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    // Reads waiting for the applied index to reach their read index; touched only on the loop.
    private readonly PriorityQueue<StoreOperation, ulong> _deferred = new();
    private AppliedState _state;
    private ulong _applied;
    private Exception? _failure;

    /// <param name="store">The store this loop owns from now on.</param>
    /// <param name="appliedIndex">The log index the store already reflects (after recovery).</param>
    /// <param name="afterOperation">Runs on the loop after every operation, before its caller resumes (watch delivery).</param>
    /// <param name="wal">The write-ahead log whose records gate logged writes; null in memory.</param>
    /// <param name="afterWrite">Runs on the loop after each applied write with its index (snapshot policy).</param>
    /// <param name="onStorageFailure">Called once when the WAL fails: the node must stop (SPEC §9.2).</param>
    public ApplyLoop(MvccStore store, ulong appliedIndex, Action<MvccStore> afterOperation, Wal? wal = null, Action<ulong>? afterWrite = null, Action<Exception>? onStorageFailure = null)
    {
        _store = store;
        _applied = appliedIndex;
        _afterOperation = afterOperation;
        _wal = wal;
        _afterWrite = afterWrite;
        _onStorageFailure = onStorageFailure ?? (_ => { });
        _state = Snapshot();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The state after the last completed operation.</summary>
    public AppliedState State => Volatile.Read(ref _state);

    /// <summary>The store; only on the loop (an operation's <see cref="StoreOperation.Run"/>).</summary>
    public MvccStore Store => _store;

    /// <summary>Replaces the whole store (a snapshot from the leader); only on the loop.</summary>
    public void ReplaceStore(MvccStore store, ulong appliedIndex)
    {
        _store = store;
        _applied = appliedIndex;
    }

    /// <summary>Completes when the loop has drained and stopped.</summary>
    public Task Completion => _loop;

    /// <summary>Runs <paramref name="function"/> on the loop and returns its result.</summary>
    /// <param name="function">The work; a static lambda, so that no closure is allocated.</param>
    /// <param name="state">The work's input.</param>
    /// <param name="isWrite">True for writes: they advance the applied index (a log entry once replicated).</param>
    /// <param name="cancellationToken">Stops waiting; an operation already queued still runs.</param>
    /// <param name="minAppliedIndex">Runs only once the applied index has reached it (a read index, readiness L).</param>
    public Task<TResult> ExecuteAsync<TState, TResult>(Func<MvccStore, TState, TResult> function, TState state, bool isWrite, CancellationToken cancellationToken, ulong minAppliedIndex = 0)
    {
        var operation = new StoreOperation<TState, TResult>(function, state) { IsWrite = isWrite, MinAppliedIndex = minAppliedIndex };
        Enqueue(operation);
        return operation.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Queues an operation; a stopped or failed loop fails it at once.</summary>
    public void Enqueue(StoreOperation operation)
    {
        if (!_queue.Writer.TryWrite(operation))
        {
            operation.Abandon(Volatile.Read(ref _failure) ?? new ObjectDisposedException(nameof(ApplyLoop)));
        }
    }

    /// <summary>Stops accepting operations; those already queued still run.</summary>
    public Task StopAsync()
    {
        _queue.Writer.TryComplete();
        return _loop;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var operation))
            {
                if (_failure is not null)
                {
                    operation.Abandon(_failure);
                    continue;
                }

                if (operation.WalSequence > 0 && !await IsDurableAsync(operation.WalSequence).ConfigureAwait(false))
                {
                    operation.Abandon(_failure!);
                    continue;
                }

                if (operation.MinAppliedIndex > _applied)
                {
                    _deferred.Enqueue(operation, operation.MinAppliedIndex);
                    continue;
                }

                RunOne(operation);
                while (_deferred.TryPeek(out var deferred, out var index) && index <= _applied)
                {
                    _deferred.Dequeue();
                    RunOne(deferred);
                }
            }
        }

        var stopped = new ObjectDisposedException(nameof(ApplyLoop));
        while (_deferred.TryDequeue(out var left, out _))
        {
            left.Abandon(stopped);
        }
    }

    private void RunOne(StoreOperation operation)
    {
        operation.Run(_store);
        _afterOperation(_store);
        if (operation.IsWrite)
        {
            _applied = operation.LogIndex > 0 ? operation.LogIndex : _applied + 1;
            _afterWrite?.Invoke(_applied);
        }

        Volatile.Write(ref _state, Snapshot());
        operation.Complete();
    }

    /// <summary>Waits for a WAL record; false (and fail-stop) when the log failed.</summary>
    private async ValueTask<bool> IsDurableAsync(long sequence)
    {
        try
        {
            await _wal!.WaitAsync(sequence, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex)
        {
            // Never acknowledge what is not on disk; everything after this fails too (SPEC §9.2).
            Volatile.Write(ref _failure, ex);
            _queue.Writer.TryComplete();
            _onStorageFailure(ex);
            return false;
        }
    }

    private AppliedState Snapshot() =>
        new(_store.Revision, _store.CompactRevision, _store.KeyCount, _store.LeaseCount, _store.EstimatedSizeBytes, _applied);
}
