using System.Buffers.Binary;
using AntiEtcd.Raft;

namespace AntiEtcd.Server.Node;

/// <summary>Batched read index (Raft thesis §6.4, SPEC §8.5): every read waiting when a batch starts shares one request.</summary>
internal sealed partial class RaftLoop
{
    private readonly Lock _readLock = new();
    private List<TaskCompletionSource<ulong>> _waitingReads = [];
    private readonly Dictionary<ulong, List<TaskCompletionSource<ulong>>> _readBatches = [];
    private bool _readPosted;
    private ulong _nextReadContext;

    /// <summary>Read-index batches started so far (requeued ones count again); lets a test see a read reach the core.</summary>
    public ulong ReadBatchesStarted => Interlocked.Read(ref _nextReadContext);

    /// <summary>
    /// A read index for a linearizable read: the commit index at a moment after the call, confirmed by a quorum. Reads
    /// that wait at the same moment share one request. Completes with <see cref="NoLeaderException"/> when no leader is
    /// known; never completes while the leader cannot confirm itself (the caller's deadline decides).
    /// </summary>
    public Task<ulong> ReadIndexAsync()
    {
        var completion = new TaskCompletionSource<ulong>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool post;
        lock (_readLock)
        {
            _waitingReads.Add(completion);
            post = !_readPosted;
            _readPosted = true;
        }

        if (post && !Post(new RaftInput(RaftInputKind.ReadIndex)))
        {
            FailReads(new ObjectDisposedException(nameof(RaftLoop)));
        }

        return completion.Task;
    }

    /// <summary>On the loop: sends everything waiting as one request.</summary>
    private void StartReadBatch()
    {
        List<TaskCompletionSource<ulong>> batch;
        lock (_readLock)
        {
            _readPosted = false;
            if (_waitingReads.Count == 0)
            {
                return;
            }

            batch = _waitingReads;
            _waitingReads = [];
        }

        var id = Interlocked.Increment(ref _nextReadContext);
        var context = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(context, id);
        if (_node.ReadIndex(context) == ReadIndexStatus.NoLeader)
        {
            foreach (var waiter in batch)
            {
                waiter.TrySetException(new NoLeaderException());
            }

            return;
        }

        _readBatches[id] = batch;
    }

    /// <summary>On the loop: a read state answers its batch.</summary>
    private void CompleteReadBatch(ReadState state)
    {
        if (state.Context.Length != 8)
        {
            return;
        }

        var id = BinaryPrimitives.ReadUInt64LittleEndian(state.Context.Span);
        if (_readBatches.Remove(id, out var batch))
        {
            foreach (var waiter in batch)
            {
                waiter.TrySetResult(state.Index);
            }
        }
    }

    /// <summary>On the loop, after a leader change: batches in flight were dropped by the core; send them again.</summary>
    private void RequeueReads()
    {
        if (_readBatches.Count == 0)
        {
            return;
        }

        lock (_readLock)
        {
            foreach (var batch in _readBatches.Values)
            {
                _waitingReads.AddRange(batch);
            }
        }

        _readBatches.Clear();
        StartReadBatch();
    }

    private void FailReads(Exception reason)
    {
        List<TaskCompletionSource<ulong>> waiting;
        lock (_readLock)
        {
            waiting = _waitingReads;
            _waitingReads = [];
        }

        foreach (var waiter in waiting)
        {
            waiter.TrySetException(reason);
        }

        foreach (var batch in _readBatches.Values)
        {
            foreach (var waiter in batch)
            {
                waiter.TrySetException(reason);
            }
        }
    }
}
