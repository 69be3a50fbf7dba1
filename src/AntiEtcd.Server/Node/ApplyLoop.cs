using System.Threading.Channels;
using AntiEtcd.Mvcc;

namespace AntiEtcd.Server.Node;

/// <summary>
/// The single owner of the <see cref="MvccStore"/>: every read and every write runs here, one at a
/// time, in arrival order (DESIGN §2: one writer per piece of state).
/// </summary>
/// <remarks>
/// Callers on any thread enqueue operations; the loop drains them in batches and publishes an
/// <see cref="AppliedState"/> after each operation, before its caller resumes, for lock-free status reads. When the node becomes
/// replicated, committed log entries will arrive here in log order instead of client calls.
/// </remarks>
internal sealed class ApplyLoop
{
    private readonly MvccStore _store;
    private readonly Action<MvccStore> _afterOperation;
    private readonly Channel<StoreOperation> _queue;
    private readonly Task _loop;
    private AppliedState _state;
    private ulong _applied;

    /// <param name="store">The store this loop owns from now on.</param>
    /// <param name="afterOperation">Runs on the loop after every operation, before its caller resumes (watch delivery).</param>
    public ApplyLoop(MvccStore store, Action<MvccStore> afterOperation)
    {
        _store = store;
        _afterOperation = afterOperation;
        // Bounded so that a flood of requests queues in Kestrel instead of in memory here.
        _queue = Channel.CreateBounded<StoreOperation>(new BoundedChannelOptions(16384)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _state = Snapshot();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The state after the last completed operation.</summary>
    public AppliedState State => Volatile.Read(ref _state);

    /// <summary>Completes when the loop has drained and stopped.</summary>
    public Task Completion => _loop;

    /// <summary>Runs <paramref name="function"/> on the loop and returns its result.</summary>
    /// <remarks>
    /// Cancellation stops the caller waiting for a queue slot; once queued, the operation runs to
    /// the end (a write cannot be un-proposed).
    /// </remarks>
    /// <param name="function">The work; a static lambda, so that no closure is allocated.</param>
    /// <param name="state">The work's input.</param>
    /// <param name="isWrite">True for writes: they advance the applied index (a log entry once replicated).</param>
    /// <param name="cancellationToken">Stops waiting for a queue slot.</param>
    public async Task<TResult> ExecuteAsync<TState, TResult>(Func<MvccStore, TState, TResult> function, TState state, bool isWrite, CancellationToken cancellationToken)
    {
        var operation = new StoreOperation<TState, TResult>(function, state) { IsWrite = isWrite };
        if (!_queue.Writer.TryWrite(operation))
        {
            await _queue.Writer.WriteAsync(operation, cancellationToken).ConfigureAwait(false);
        }

        return await operation.Task.ConfigureAwait(false);
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
                operation.Run(_store);
                _afterOperation(_store);
                if (operation.IsWrite)
                {
                    _applied++;
                }

                Volatile.Write(ref _state, Snapshot());
                operation.Complete();
            }
        }
    }

    private AppliedState Snapshot() =>
        new(_store.Revision, _store.CompactRevision, _store.KeyCount, _store.LeaseCount, _store.EstimatedSizeBytes, _applied);
}
