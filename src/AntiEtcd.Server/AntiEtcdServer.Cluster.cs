using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;
using AntiEtcd.Mvcc;
using AntiEtcd.Raft;
using AntiEtcd.Server.Cluster;
using AntiEtcd.Server.Hosting;
using AntiEtcd.Server.Node;
using AntiEtcd.Storage;
using Microsoft.AspNetCore.Http;
using CoreRole = AntiEtcd.Raft.RaftRole;

namespace AntiEtcd.Server;

/// <summary>
/// A node of a cluster of more than one node (SPEC §8): the Raft loop, the peer transport, readiness and the 503s of
/// §8.4. A one-node cluster keeps the direct write path of <see cref="ProposeCoreAsync"/>: it elects itself at once,
/// and its log is the same WAL without a consensus round.
/// </summary>
public sealed partial class AntiEtcdServer
{
    private ClusterMembership? _membership;
    private WebSocketPeerTransport? _transport;
    private RaftLoop? _raft;
    private ProposalTracker? _tracker;
    private Wal? _raftWal;
    private readonly ConcurrentDictionary<NodeId, long> _connectedPeers = new();
    private readonly ConcurrentDictionary<NodeId, long> _incomingPeers = new();
    private readonly Channel<RaftStateInfo> _stateEvents = Channel.CreateUnbounded<RaftStateInfo>(new UnboundedChannelOptions { SingleReader = true });
    private Task _stateEventPump = Task.CompletedTask;
    private TaskCompletionSource _readinessChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ulong _joinIndex;
    private volatile bool _joined;
    private RaftStatus? _lastStatus;

    /// <summary>True with <c>--cluster</c> of more than one node.</summary>
    internal bool IsClusterMode => _options.Cluster is { Count: > 1 };

    /// <summary>The peer transport, once a cluster node has started.</summary>
    internal IPeerTransport? Transport => _transport;

    /// <summary>Read-index batches the Raft loop has started (0 on a one-node cluster); for tests.</summary>
    internal ulong ReadIndexBatches => _raft?.ReadBatchesStarted ?? 0;

    /// <summary>
    /// Builds the cluster node without starting it: membership, transport, the Raft log (recovered from the data
    /// directory with <c>--data</c>) and the core. Returns the recovered store and the index it reflects.
    /// </summary>
    private async Task<(MvccStore Store, ulong Applied)> OpenClusterAsync(CancellationToken cancellationToken)
    {
        var membership = new ClusterMembership(NodeId, _options.Cluster!);
        _membership = membership;
        var voters = new List<NodeId> { membership.Local.Id };
        voters.AddRange(membership.Peers.Select(p => p.Id));
        var storage = new MemoryRaftStorage(voters);
        var store = new MvccStore();
        ulong applied = 0;
        RaftPersistence? persistence = null;
        if (_options.Data is { } path)
        {
            (store, applied, persistence) = await RecoverOffThreadAsync(() => RecoverRaft(path, storage, voters), cancellationToken).ConfigureAwait(false);
        }

        var settings = new SharedSettings(_options.Data is null ? "memory" : "data", _persistFilterName, _options.MaxRequestBytes);
        var transport = new WebSocketPeerTransport(PeerTransportOptions.FromServerOptions(_options, settings), _loggerFactory.CreateLogger("AntiEtcd.Cluster"));
        transport.FrameHandler = OnPeerFrame;
        transport.PeerStateChanged += OnPeerStateChanged;
        _transport = transport;

        var tick = TimeSpan.FromMilliseconds(Math.Max(1, _options.HeartbeatTimeout / 2.0));
        var node = new RaftNode(new RaftConfig
        {
            Id = membership.Local.Id,
            Voters = voters,
            Storage = storage,
            HeartbeatTicks = 2,
            ElectionTicks = Math.Max(4, (int)Math.Ceiling(_options.ElectionTimeout / tick.TotalMilliseconds)),
            LeaderPriority = _options.LeaderPriority,
            Applied = applied,
            Random = new Random(RandomNumberGenerator.GetInt32(int.MaxValue)),
            InMemory = _options.Data is null,
            IncompleteState = _incomplete,

            // One append in flight per follower: proposals that arrive meanwhile go out together when it is answered,
            // and the leader persists them with that append (RaftNode.PersistLimit), so under load a put costs a
            // fraction of a peer message and of an fsync on each node. A lagging follower still gets up to
            // MaxSizePerMessage (1 MiB) per round trip. docs/benchmarks.md "Three-node cluster" has the measurements.
            MaxInflightMessages = 1,
        });
        _tracker = new ProposalTracker(applied);
        _raft = new RaftLoop(node, storage, transport, persistence, _tracker, new RaftLoopCallbacks
        {
            Apply = ApplyCommitted,
            InstallSnapshot = InstallSnapshot,
            StateChanged = OnRaftStatus,
            Failed = OnStorageFailure,
            SnapshotWanted = OnSnapshotWanted,
            CatchUpEntries = (ulong)Math.Max(1, _options.SnapshotEntries / 2),
        }, _time, tick, NodeId, NameOf, _loggerFactory.CreateLogger("AntiEtcd.Cluster"), _options.Logs.HasFlag(AntiEtcdLogs.Cluster));
        return (store, applied);
    }

    /// <summary>
    /// Recovery of a cluster node (SPEC §9.3): the newest valid snapshot becomes the store and the log's base; the WAL's
    /// entries after it and its last hard state go back into the Raft log. Committed entries after the snapshot are
    /// applied again by the core (its <c>Applied</c> is the snapshot's index).
    /// </summary>
    private (MvccStore Store, ulong Applied, RaftPersistence Persistence) RecoverRaft(string path, MemoryRaftStorage storage, List<NodeId> voters)
    {
        var (wal, recovery, loaded) = OpenDataDirectory(path);
        _raftWal = wal;

        var store = new MvccStore();
        ulong applied = 0;
        BeginVolatileRecovery();
        if (loaded.Snapshot is { } snapshot)
        {
            try
            {
                store = MvccStore.ReadSnapshot(snapshot.Data.Span, out var volatileKeys);
                _volatileKeys?.AddRange(volatileKeys);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{snapshot.FilePath}: {ex.Message}", ex);
            }

            applied = snapshot.Index;

            // In a directory that records filtered writes the image is a persisted form: marked, so that only this node,
            // as an incomplete leader, ever sends it (SPEC §9.4).
            storage.ApplySnapshot(new Snapshot(new SnapshotMetadata(snapshot.Index, snapshot.Term, voters), snapshot.Data) { Filtered = _filteredFlagSet });
        }
        else if (recovery.Entries.Count > 0 && recovery.FirstIndex > 1)
        {
            throw new IOException($"{_dataDirectory!.WalDirectory}: the log starts at entry {recovery.FirstIndex} and no snapshot covers the entries before it");
        }

        var entries = new List<Entry>();
        foreach (var record in recovery.Entries)
        {
            if (record.Index <= applied)
            {
                continue;
            }

            if (record.Index != applied + 1 + (ulong)entries.Count)
            {
                throw new IOException($"{_dataDirectory!.WalDirectory}: entry {record.Index} follows {applied + (ulong)entries.Count}: the log has a gap");
            }

            // A copy: the payload is a slice of its whole WAL segment, which one retained entry
            // would otherwise keep in memory until the log is compacted past it.
            entries.Add(RaftEntryCodec.DecodeEntry(record.Index, record.Payload.ToArray()));
        }

        storage.Append(entries);
        var hardState = recovery.HardState is { } hs ? RaftEntryCodec.DecodeHardState(hs.Payload.Span) : default;
        if (!hardState.IsEmpty || applied > 0)
        {
            // The commit index may lag in the WAL (a commit-only change is not fsynced); never below what the snapshot holds.
            storage.SetHardState(hardState with { Commit = Math.Min(Math.Max(hardState.Commit, applied), storage.LastIndex) });
        }

        var (commit, first, last) = (storage.InitialState().Commit, storage.FirstIndex - 1, storage.LastIndex);
        RaftLog.Recovered(_logger, NodeId, hardState.Term, commit, first, last, path);
        return (store, applied, new RaftPersistence(wal, _snapshots!, syncEntries: _options.PersistInterval == 0, ClusterPersistedForm()));
    }

    /// <summary>Starts dialling peers and the Raft loop, once the listener accepts peer connections.</summary>
    private async Task StartClusterAsync(CancellationToken cancellationToken)
    {
        _stateEventPump = Task.Run(PumpStateEventsAsync, CancellationToken.None);
        await _transport!.StartAsync(cancellationToken).ConfigureAwait(false);
        _raft!.Start();
    }

    /// <summary>
    /// A graceful stop of a leader hands leadership over to the most recently heard peer first (SPEC §8.2), and waits
    /// up to an election timeout for it to take over.
    /// </summary>
    private async Task TransferLeadershipOnStopAsync()
    {
        if (_raft is null || _raft.Status.Role != CoreRole.Leader || Volatile.Read(ref _failureCause) is not null)
        {
            return;
        }

        var heard = _raft.HeardFrom(TimeSpan.FromMilliseconds(_options.ElectionTimeout));
        if (heard.Count == 0)
        {
            return;
        }

        var successor = NameOf(heard[0]);
        RaftLog.TransferOnStop(_logger, NodeId, successor);
        _raft.TransferLeadership(heard[0]);
        var deadline = _time.GetTimestamp() + (long)(_options.ElectionTimeout / 1000.0 * _time.TimestampFrequency);
        while (_raft.Status.Role == CoreRole.Leader && _time.GetTimestamp() < deadline)
        {
            var signal = Volatile.Read(ref _readinessChanged).Task;
            await signal.WaitAsync(TimeSpan.FromMilliseconds(_options.HeartbeatTimeout), _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Stops the Raft loop, the transport and the cluster WAL, after the listener has closed.</summary>
    private async Task StopClusterAsync()
    {
        if (_raft is not null)
        {
            await _raft.DisposeAsync().ConfigureAwait(false);
        }

        if (_transport is not null)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }

        _tracker?.Abandon(EtcdErrors.Stopping());
        AbandonForwards(EtcdErrors.Stopping());
        _stateEvents.Writer.TryComplete();
        await _stateEventPump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Disposes the cluster WAL (after the apply loop stopped).</summary>
    private async Task CloseRaftStorageAsync()
    {
        if (_raftWal is not null)
        {
            try
            {
                await _raftWal.DisposeAsync().ConfigureAwait(false);
            }
            catch (StorageFailedException ex)
            {
                Log.StorageFailed(_logger, ex);
            }
        }
    }

    /// <summary>The <c>/antietcd/peer</c> upgrade of a cluster node (SPEC §10.3); 403 on a one-node cluster.</summary>
    internal Task AcceptPeerAsync(HttpContext context) =>
        _transport is { } transport ? transport.Listener.AcceptAsync(context) : throw EtcdErrors.AccessDenied();

    private string NameOf(NodeId id) => id.IsNone ? "none" : _membership?.Find(id)?.Name ?? id.ToString();

    // ---- Committed entries and snapshots, handed over by the Raft loop ----

    private void ApplyCommitted(IReadOnlyList<Entry> entries)
    {
        foreach (var entry in entries)
        {
            // After each entry: an import entry decides this node's pending import, whoever proposed it (SPEC §9.6), and
            // filtered entries and resets change completeness (SPEC §9.4).
            Loop.Enqueue(new LogEntryOperation(entry, Lessor, _tracker!, OnClusterEntryApplied) { IsWrite = true, LogIndex = entry.Index });
        }
    }

    private void InstallSnapshot(Snapshot snapshot) =>
        Loop.Enqueue(new InstallSnapshotOperation(snapshot, Loop, _tracker!, OnClusterSnapshotInstalled) { IsWrite = true, LogIndex = snapshot.Index });

    /// <summary>On the apply loop: the state was replaced; watches cannot continue gaplessly (SPEC §8.3).</summary>
    private void OnSnapshotInstalled(MvccStore store)
    {
        _store = store;
        Hub.CancelAll(store);
        foreach (var id in store.GetLeaseIds())
        {
            if (store.TryGetLease(id, out var ttl))
            {
                Lessor.Renew(id, ttl);
            }
        }
    }

    /// <summary>
    /// On the apply loop after each entry: automatic compaction (leader only) and, every <c>snapshot_entries</c>,
    /// a snapshot of the state for the Raft log (and the disk, with <c>--data</c>).
    /// </summary>
    private void AfterClusterWrite(ulong index)
    {
        if (_incomplete)
        {
            // An incomplete state is no snapshot anyone may use, and proposes nothing but its reset (SPEC §9.4).
            return;
        }

        if (_raft?.Status.Role == CoreRole.Leader)
        {
            MaybeCompact();
        }

        var afterReset = _snapshotAfterReset;
        _snapshotAfterReset = false;
        if (afterReset)
        {
            _lastSnapshotIndex = index;
            TakeClusterSnapshot(_store, index, afterReset: true, forIncompletePeers: false);
            return;
        }

        if (!SnapshotDue(index) || !_clusterSnapshotTask.IsCompleted)
        {
            return;
        }

        // A periodic snapshot: captured here, serialized in the background (AfterWrite says why). The Raft loop records
        // it when it arrives, unless a newer one came first.
        _lastSnapshotIndex = index;
        var view = _store.CaptureSnapshot();
        _clusterSnapshotTask = Task.Run(() =>
        {
            try
            {
                HandOverClusterSnapshot(view, index, afterReset: false, forIncompletePeers: false);
            }
            catch (Exception ex)
            {
                // As if it had failed on the apply loop: the node stops rather than go on without snapshots.
                OnStorageFailure(ex);
            }
        });
    }

    // ---- Role changes ----

    /// <summary>On the Raft loop: publish the new state, refresh lease deadlines on a new leader (SPEC §8.6), wake waiters.</summary>
    private void OnRaftStatus(RaftStatus status)
    {
        var previous = _lastStatus;
        _lastStatus = status;
        if (status.Role == CoreRole.Leader && previous?.Role != CoreRole.Leader)
        {
            // Every lease gets a full TTL from now: a failover never shortens a lease. Runs once the no-op is
            // applied, so the leases of earlier terms are all known.
            Loop.Enqueue(new StoreOperation<AntiEtcdServer, bool>(
                static (store, server) =>
                {
                    foreach (var id in store.GetLeaseIds())
                    {
                        if (store.TryGetLease(id, out var ttl))
                        {
                            server.Lessor.Renew(id, ttl);
                        }
                    }

                    return true;
                },
                this)
            { MinAppliedIndex = status.LeaderReadyIndex });
            if (_incomplete && _options.Data is not null)
            {
                _ = ProposeVolatileResetAsync(status.Term, status.LeaderReadyIndex);
            }
        }

        if (status.Role == CoreRole.Follower && !status.Leader.IsNone && (previous is null || previous.Leader != status.Leader || previous.Term != status.Term))
        {
            Volatile.Write(ref _joinIndex, status.Commit);
            _joined = true;
        }

        var role = status.Role switch
        {
            CoreRole.Leader => RaftRole.Leader,
            CoreRole.Follower => RaftRole.Follower,
            _ => RaftRole.Candidate,
        };
        var followers = status.Role == CoreRole.Leader ? CurrentFollowers() : [];
        _stateEvents.Writer.TryWrite(new RaftStateInfo(role, status.Term, status.Leader.IsNone ? null : NameOf(status.Leader), followers));
        SignalReadiness();
    }

    /// <summary>The leader's followers for status: itself and every peer heard from within <c>election_timeout</c>.</summary>
    private List<string> CurrentFollowers()
    {
        var followers = new List<string> { NodeId };
        foreach (var id in _raft!.HeardFrom(TimeSpan.FromMilliseconds(_options.ElectionTimeout)))
        {
            followers.Add(NameOf(id));
        }

        followers.Sort(StringComparer.Ordinal);
        return followers;
    }

    /// <summary><see cref="RaftStateChanged"/> handlers run one at a time, off the Raft loop (SPEC §13.2).</summary>
    private async Task PumpStateEventsAsync()
    {
        await foreach (var state in _stateEvents.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            SetRaftState(state);
        }
    }

    private void OnPeerStateChanged(object? sender, PeerStateChangedEventArgs e)
    {
        if (e.Direction != PeerDirection.Outgoing)
        {
            if (e.State == PeerConnectionState.Authenticated)
            {
                _incomingPeers[e.Peer] = e.ConnectionId;
            }
            else if (e.State == PeerConnectionState.Disconnected && _incomingPeers.TryRemove(new KeyValuePair<NodeId, long>(e.Peer, e.ConnectionId)))
            {
                ReportIfLeaderLost(e.Peer);
            }

            return;
        }

        if (e.State == PeerConnectionState.Authenticated)
        {
            _connectedPeers[e.Peer] = e.ConnectionId;
        }
        else if (e.State == PeerConnectionState.Disconnected)
        {
            _connectedPeers.TryRemove(new KeyValuePair<NodeId, long>(e.Peer, e.ConnectionId));
            ConnectionLost(e.ConnectionId);
            _raft?.ReportUnreachable(e.Peer);
            ReportIfLeaderLost(e.Peer);
        }

        SignalReadiness();
    }

    /// <summary>
    /// When both connections with the leader are gone (its process died, so its kernel closed them), the core may
    /// campaign after a short wait instead of a full election timeout: this is what keeps failover after a crash
    /// well under the SPEC §8.2 bound. A partition that keeps sockets open still takes the election timeout.
    /// </summary>
    private void ReportIfLeaderLost(NodeId peer)
    {
        if (_raft is { } raft && raft.Status.Leader == peer && !_connectedPeers.ContainsKey(peer) && !_incomingPeers.ContainsKey(peer))
        {
            raft.ReportLeaderLost(peer);
        }
    }

    private void SignalReadiness() =>
        Interlocked.Exchange(ref _readinessChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
