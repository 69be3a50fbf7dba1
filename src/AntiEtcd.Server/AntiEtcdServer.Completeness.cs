using AntiEtcd.Mvcc;
using AntiEtcd.Raft;
using AntiEtcd.Server.Hosting;
using AntiEtcd.Server.Node;
using CoreRole = AntiEtcd.Raft.RaftRole;

namespace AntiEtcd.Server;

/// <summary>
/// Complete and incomplete state (SPEC §9.4), mostly of a cluster node (a single node is incomplete only between its
/// recovery and its volatile reset, before the listener opens): what it writes to disk with a persist filter, when it
/// lacks data the cluster may have, and how it gets complete again: a complete leader's snapshot, or the volatile
/// reset that an incomplete leader proposes first in its term.
/// </summary>
/// <remarks>
/// <para>The state is incomplete from a start on a directory that records filtered writes, after applying a filtered
/// entry or installing a filtered snapshot (both only come from an incomplete leader), and until a volatile reset or
/// a complete snapshot replaces it. While incomplete the node serves no local read and no watch, proposes nothing as a
/// leader but the reset, takes no snapshot of its state, and tells its leader so in every answer (the core's
/// <see cref="RaftNode.Incomplete"/>), so that a complete leader sends it a snapshot of the whole state.</para>
/// <para>Threading: <see cref="_volatileKeys"/> and the transitions belong to the apply loop (and to recovery, before
/// it starts); <see cref="_incomplete"/> is read anywhere.</para>
/// </remarks>
public sealed partial class AntiEtcdServer
{
    private volatile bool _incomplete;
    private VolatileKeyTracker? _volatileKeys;
    private ulong _resetTerm;
    private bool _snapshotAfterReset;

    // The periodic snapshot being serialized in the background (AfterClusterWrite), or a completed task.
    private Task _clusterSnapshotTask = Task.CompletedTask;

    /// <summary>What this cluster node writes to disk: filtered entries and images keep their mark (SPEC §9.4).</summary>
    private RaftPersistedForm ClusterPersistedForm() => new(StoredEntry, StoredImage);

    /// <summary>On the Raft loop: the entry to log for an entry of the in-memory log.</summary>
    private Entry StoredEntry(Entry entry)
    {
        if (entry.Type != EntryType.Normal)
        {
            return entry;
        }

        if (CommandCodec.IsFiltered(entry.Data.Span))
        {
            // A filtered entry from an incomplete leader: the directory now holds filtered data, filter or not.
            SetFilteredFlag();
            return entry;
        }

        if (_persistFilter is null)
        {
            return entry;
        }

        var command = CommandCodec.Decode(entry.Data.Span);
        var persisted = ToPersistedForm(command, filterReset: true);
        return ReferenceEquals(persisted, command) ? entry : entry with { Data = CommandCodec.EncodeToArray(persisted) };
    }

    /// <summary>On the Raft loop: the image to store for a snapshot received from a leader.</summary>
    private ReadOnlyMemory<byte> StoredImage(Snapshot snapshot)
    {
        if (snapshot.Filtered)
        {
            // Already a persisted form (an incomplete leader's, read from its disk).
            SetFilteredFlag();
            return snapshot.Data;
        }

        return _persistFilter is null ? snapshot.Data : SerializeStore(MvccStore.ReadSnapshot(snapshot.Data.Span), persistedForm: true);
    }

    /// <summary>On the apply loop, after each entry a cluster node applies.</summary>
    private void OnClusterEntryApplied(MvccStore store, Command command, object? response)
    {
        if (response is ImportOutcome outcome)
        {
            CompleteImport(outcome);
        }

        if (command.Type == CommandType.VolatileReset)
        {
            // SPEC §9.4: every watch is cancelled as compacted; the carried state holds no volatile key. A reset read back
            // from a filtered log lacks what the leader held in memory, so it leaves the node incomplete.
            Hub.CancelAll(store);
            _snapshotAfterReset = !command.Filtered;
            SetCompleteness(store, command.Filtered ? new VolatileKeyTracker() : null);
            return;
        }

        if (command.Filtered && _volatileKeys is null)
        {
            SetCompleteness(store, new VolatileKeyTracker());
        }

        _volatileKeys?.Replayed(command, response, store.LastEvents);
    }

    /// <summary>On the apply loop: a leader's snapshot replaced the state; a filtered one leaves the node incomplete.</summary>
    private void OnClusterSnapshotInstalled(MvccStore store, Snapshot snapshot, IReadOnlyList<ReadOnlyMemory<byte>> volatileKeys)
    {
        OnSnapshotInstalled(store);
        VolatileKeyTracker? tracker = null;
        if (snapshot.Filtered)
        {
            tracker = new VolatileKeyTracker();
            tracker.AddRange(volatileKeys);
        }

        SetCompleteness(store, tracker);
    }

    /// <summary>
    /// On the apply loop: the node is incomplete exactly while it tracks volatile keys (<paramref name="volatileKeys"/>
    /// not null); a change of completeness goes to readiness, the core and the log.
    /// </summary>
    private void SetCompleteness(MvccStore store, VolatileKeyTracker? volatileKeys)
    {
        _volatileKeys = volatileKeys;
        var incomplete = volatileKeys is not null;
        if (_incomplete == incomplete)
        {
            return;
        }

        if (incomplete)
        {
            // What this node held may be served no more (SPEC §9.4: no local reads or watches while incomplete).
            Hub.CancelAll(store);
        }

        _incomplete = incomplete;
        _raft?.SetIncomplete(incomplete);
        Log.Completeness(_logger, NodeId, incomplete ? "incomplete" : "complete", store.Revision);
        SignalReadiness();
    }

    /// <summary>Whether this node, as leader of <paramref name="term"/>, may propose client writes: complete, or its reset proposed.</summary>
    private bool LeaderMayPropose(ulong term) => !_incomplete || Volatile.Read(ref _resetTerm) == term;

    /// <summary>Readiness L needs a complete state (SPEC §8.4); at the deadline U3.</summary>
    private async Task WaitCompleteAsync(long deadline, CancellationToken cancellationToken)
    {
        while (_incomplete)
        {
            var signal = Volatile.Read(ref _readinessChanged).Task;
            ThrowIfStopping();
            if (!_incomplete)
            {
                return;
            }

            var remaining = Remaining(deadline);
            if (remaining <= TimeSpan.Zero)
            {
                throw EtcdErrors.NotReady();
            }

            await WaitSignalAsync(signal, remaining, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// On the Raft loop: a complete leader has incomplete followers. Once its term's no-op is applied (so the state
    /// covers everything committed before the term) and the follower's log too, it takes a snapshot for them.
    /// </summary>
    private void OnSnapshotWanted(ulong minIndex)
    {
        var ready = _raft!.Status.LeaderReadyIndex;
        Loop.Enqueue(new StoreOperation<AntiEtcdServer, bool>(
            static (store, server) =>
            {
                if (server._incomplete || server._raft!.Status.Role != CoreRole.Leader)
                {
                    return false;
                }

                server.TakeClusterSnapshot(store, server.Applied.AppliedIndex, afterReset: false, forIncompletePeers: true);
                return true;
            },
            this)
        { MinAppliedIndex = Math.Max(minIndex, ready) });
    }

    /// <summary>On the apply loop: hands the complete image, and its persisted form for the disk, to the Raft loop.</summary>
    private void TakeClusterSnapshot(MvccStore store, ulong index, bool afterReset, bool forIncompletePeers) =>
        HandOverClusterSnapshot(store.CaptureSnapshot(), index, afterReset, forIncompletePeers);

    /// <summary>On any thread: serializes a captured store and hands the images to the Raft loop.</summary>
    private void HandOverClusterSnapshot(SnapshotView view, ulong index, bool afterReset, bool forIncompletePeers)
    {
        var image = SerializeView(view, persistedForm: false);

        // Not `filter is null ? null : …`: that conditional is typed ReadOnlyMemory<byte> (null converts to an empty
        // one), so the disk got an empty image whenever no filter was set.
        ReadOnlyMemory<byte>? diskImage = null;
        if (_persistFilter is not null)
        {
            diskImage = SerializeView(view, persistedForm: true);
        }

        _raft!.SnapshotTaken(index, image, diskImage, afterReset, forIncompletePeers);
    }

    /// <summary>
    /// SPEC §9.4: an incomplete leader with <c>--data</c> proposes a volatile reset first in its term, carrying its whole
    /// state as of its no-op (volatile keys it lacks left out). Client writes wait for it (<see cref="LeaderMayPropose"/>),
    /// and so do lease expiry and automatic compaction, so the reset lands right after the no-op.
    /// </summary>
    private async Task ProposeVolatileResetAsync(ulong term, ulong readyIndex)
    {
        try
        {
            var command = await Loop.ExecuteAsync(
                static (store, s) => s.Server.BuildClusterReset(store, s.Term),
                (Server: this, Term: term),
                isWrite: false,
                CancellationToken.None,
                readyIndex).ConfigureAwait(false);
            if (command is null)
            {
                return;
            }

            var proposed = await _raft!.ProposeAsync(CommandCodec.EncodeToArray(command)).ConfigureAwait(false);
            if (proposed.Status == ProposeStatus.Accepted)
            {
                Log.VolatileResetProposed(_logger, NodeId, term, command.Revision, command.Keys!.Count);
                Volatile.Write(ref _resetTerm, term);
                SignalReadiness();
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException or AntiEtcdRequestException)
        {
            // Stopping: the next leader resets instead.
        }
    }

    /// <summary>On the apply loop: the reset to propose, or null when the node is complete or no longer leads this term.</summary>
    private Command? BuildClusterReset(MvccStore store, ulong term)
    {
        var status = _raft!.Status;
        if (!_incomplete || status.Role != CoreRole.Leader || status.Term != term)
        {
            return null;
        }

        return BuildVolatileReset(store, _volatileKeys ?? new VolatileKeyTracker());
    }
}
