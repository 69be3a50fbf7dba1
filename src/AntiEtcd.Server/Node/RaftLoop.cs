using System.Collections.Concurrent;
using System.Threading.Channels;
using AntiEtcd.Raft;
using AntiEtcd.Server.Cluster;
using Microsoft.Extensions.Logging;
using CoreRole = AntiEtcd.Raft.RaftRole;

namespace AntiEtcd.Server.Node;

/// <summary>
/// The one owner of a cluster node's <see cref="RaftNode"/> (DESIGN §1, docs/raft.md): ticks, peer messages,
/// proposals and read-index requests arrive in one inbox; each Ready is sent, persisted, sent again (what promises
/// durability), handed to the apply loop and advanced, in that order.
/// </summary>
/// <remarks>
/// <para>Group commit: while one Ready is being persisted, proposals pile up in the inbox and all go into the next
/// Ready, which costs one fsync.</para>
/// <para>Committed entries are handed to the apply loop (<see cref="RaftLoopCallbacks.Apply"/>) in order and applied
/// there asynchronously; the core only needs to know they were handed over.</para>
/// <para>Thread-safety: the public methods may be called from any thread; everything else runs on the loop.</para>
/// </remarks>
internal sealed partial class RaftLoop : IAsyncDisposable
{
    private readonly RaftNode _node;
    private readonly MemoryRaftStorage _storage;
    private readonly IPeerTransport _transport;
    private readonly RaftPersistence? _persistence;
    private readonly ProposalTracker _tracker;
    private readonly RaftLoopCallbacks _callbacks;
    private readonly TimeProvider _time;
    private readonly TimeSpan _tick;
    private readonly ILogger _logger;
    private readonly bool _logCluster;
    private readonly string _nodeName;
    private readonly Func<NodeId, string> _nameOf;
    private readonly Channel<RaftInput> _inbox = Channel.CreateUnbounded<RaftInput>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<NodeId, long> _lastHeard = new();
    private readonly Dictionary<NodeId, List<Message>> _outgoing = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private Task _pump = Task.CompletedTask;
    private ITimer? _ticker;
    private Task _snapshotSave = Task.CompletedTask;
    private volatile RaftStatus _status;

    /// <param name="node">The core; owned by this loop from now on.</param>
    /// <param name="storage">The core's storage: the log kept in memory, written here as Readies are persisted.</param>
    /// <param name="transport">The peers.</param>
    /// <param name="persistence">The WAL and snapshots; null for an in-memory node.</param>
    /// <param name="tracker">Where proposed client writes wait for their entries to be applied.</param>
    /// <param name="callbacks">Where committed work and state changes go.</param>
    /// <param name="time">The clock of the ticks.</param>
    /// <param name="tick">The tick interval (<c>heartbeat_timeout</c> / 2, docs/raft.md "Timing").</param>
    /// <param name="nodeName">This node's node_id, for logs.</param>
    /// <param name="nameOf">Member ID to node_id, for logs and status.</param>
    /// <param name="logger">Where errors go, and the <c>cluster</c> lines when <paramref name="logCluster"/>.</param>
    /// <param name="logCluster">Whether <c>--logs cluster</c> is on (SPEC §11.5).</param>
    public RaftLoop(RaftNode node, MemoryRaftStorage storage, IPeerTransport transport, RaftPersistence? persistence, ProposalTracker tracker, RaftLoopCallbacks callbacks,
        TimeProvider time, TimeSpan tick, string nodeName, Func<NodeId, string> nameOf, ILogger logger, bool logCluster)
    {
        _logCluster = logCluster;
        _node = node;
        _storage = storage;
        _transport = transport;
        _persistence = persistence;
        _tracker = tracker;
        _callbacks = callbacks;
        _time = time;
        _tick = tick;
        _nodeName = nodeName;
        _nameOf = nameOf;
        _logger = logger;
        _status = new RaftStatus(node.Role, node.Term, node.Leader, node.Commit, 0);
    }

    /// <summary>The latest role, term, leader and commit index, as of the last processed Ready.</summary>
    public RaftStatus Status => _status;

    /// <summary>Completes when the loop has stopped; faults if it failed.</summary>
    public Task Completion => _loop;

    /// <summary>Starts ticking, reading peers and processing.</summary>
    public void Start()
    {
        _loop = Task.Run(RunAsync);
        _pump = Task.Run(PumpAsync);
        _ticker = _time.CreateTimer(static s => ((RaftLoop)s!).Post(new RaftInput(RaftInputKind.Tick)), this, _tick, _tick);
    }

    /// <summary>Proposes a command; completes once it is in the leader's log (not committed), or with NotLeader.</summary>
    public Task<ProposeResult> ProposeAsync(ReadOnlyMemory<byte> command)
    {
        var completion = new TaskCompletionSource<ProposeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(new RaftInput(RaftInputKind.Propose) { Data = command, Completion = completion }))
        {
            completion.TrySetResult(new ProposeResult(ProposeStatus.NotLeader, 0, 0));
        }

        return completion.Task;
    }

    /// <summary>
    /// Proposes a client write: <see cref="Proposal.Completion"/> completes when its entry is applied here (or lost), or at
    /// once with <see cref="ApplyOutcomeKind.NotProposed"/> when this node cannot propose it.
    /// </summary>
    public void Propose(Proposal proposal)
    {
        if (!Post(new RaftInput(RaftInputKind.Propose) { Data = proposal.Command, Completion = proposal }))
        {
            proposal.NotProposed();
        }
    }

    /// <summary>Hands leadership over to <paramref name="to"/> (graceful stop).</summary>
    public void TransferLeadership(NodeId to) => Post(new RaftInput(RaftInputKind.Transfer) { Peer = to });

    /// <summary>The connection to <paramref name="peer"/> ended: the leader stops streaming to it and probes instead.</summary>
    public void ReportUnreachable(NodeId peer) => Post(new RaftInput(RaftInputKind.Unreachable) { Peer = peer });

    /// <summary>Both connections with <paramref name="peer"/> are gone; if it leads, campaign soon (<see cref="RaftNode.ReportLeaderLost"/>).</summary>
    public void ReportLeaderLost(NodeId peer) => Post(new RaftInput(RaftInputKind.LeaderLost) { Peer = peer });

    /// <summary>The apply loop took a snapshot of the state at <paramref name="index"/>: record it, compact the log and save it.</summary>
    /// <param name="index">The applied index the image reflects.</param>
    /// <param name="image">The complete state, what peers get.</param>
    /// <param name="diskImage">Its persisted form for the disk (SPEC §9.4), null when the same.</param>
    /// <param name="afterReset">Taken right after a volatile reset: the whole log before it goes.</param>
    /// <param name="forIncompletePeers">Taken for incomplete followers: send it to them.</param>
    public void SnapshotTaken(ulong index, ReadOnlyMemory<byte> image, ReadOnlyMemory<byte>? diskImage = null, bool afterReset = false, bool forIncompletePeers = false) =>
        Post(new RaftInput(RaftInputKind.Snapshot) { Index = index, Data = image, DiskData = diskImage, Flag = afterReset, ForIncompletePeers = forIncompletePeers });

    /// <summary>The state became incomplete or complete (SPEC §9.4): the core campaigns and answers accordingly.</summary>
    public void SetIncomplete(bool incomplete) => Post(new RaftInput(RaftInputKind.Completeness) { Flag = incomplete });

    /// <summary>The member IDs heard from (any message) within <paramref name="window"/>, this node excluded.</summary>
    public List<NodeId> HeardFrom(TimeSpan window)
    {
        var now = _time.GetTimestamp();
        var heard = new List<NodeId>();
        foreach (var (peer, at) in _lastHeard)
        {
            if (_time.GetElapsedTime(at, now) <= window)
            {
                heard.Add(peer);
            }
        }

        return heard;
    }

    /// <summary>Stops the loop; the transport is the caller's to dispose.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ticker is not null)
        {
            await _ticker.DisposeAsync().ConfigureAwait(false);
        }

        _inbox.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _snapshotSave.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        FailReads(new ObjectDisposedException(nameof(RaftLoop)));
        _stop.Dispose();
    }

    private bool Post(RaftInput input) => _inbox.Writer.TryWrite(input);

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var received in _transport.Received.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                _lastHeard[received.From] = _time.GetTimestamp();
                if (!Post(new RaftInput(RaftInputKind.Step) { Message = received.Message }))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync()
    {
        try
        {
            var reader = _inbox.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var input))
                {
                    Handle(input);
                }

                while (_node.HasReady())
                {
                    var ready = _node.GetReady();
                    await ProcessReadyAsync(ready).ConfigureAwait(false);
                    _node.Advance(ready);
                }
            }
        }
        catch (Exception ex)
        {
            // A storage failure (or a bug): nothing more may be promised to peers or clients.
            RaftLog.LoopFailed(_logger, _nodeName, ex);
            _inbox.Writer.TryComplete();
            FailReads(ex);
            while (_inbox.Reader.TryRead(out var left))
            {
                (left.Completion as TaskCompletionSource<ProposeResult>)?.TrySetResult(new ProposeResult(ProposeStatus.NotLeader, 0, 0));
                (left.Completion as Proposal)?.NotProposed();
            }

            _callbacks.Failed(ex);
            throw;
        }
    }

    private void Handle(RaftInput input)
    {
        switch (input.Kind)
        {
            case RaftInputKind.Tick:
                _node.Tick();
                break;
            case RaftInputKind.Step:
                _node.Step(input.Message!);
                break;
            case RaftInputKind.Propose:
                var proposal = input.Completion as Proposal;
                if (proposal is { RequiredTerm: not 0 } && proposal.RequiredTerm != _node.Term)
                {
                    proposal.NotProposed();
                    break;
                }

                var proposed = _node.Propose(input.Data);
                if (proposal is not null)
                {
                    // Tracked before this Ready is processed, so before the entry can be applied.
                    if (proposed.Status == ProposeStatus.Accepted)
                    {
                        proposal.Accepted(proposed.Index, proposed.Term);
                        _tracker.Track(proposed.Index, proposed.Term, proposal.Completion);
                    }
                    else
                    {
                        proposal.NotProposed();
                    }
                }
                else
                {
                    ((TaskCompletionSource<ProposeResult>)input.Completion!).TrySetResult(proposed);
                }

                break;
            case RaftInputKind.ReadIndex:
                StartReadBatch();
                break;
            case RaftInputKind.Transfer:
                _node.TransferLeadership(input.Peer);
                break;
            case RaftInputKind.Unreachable:
                _node.ReportUnreachable(input.Peer);
                break;
            case RaftInputKind.LeaderLost:
                _node.ReportLeaderLost(input.Peer);
                break;
            case RaftInputKind.Snapshot:
                RecordSnapshot(input);
                break;
            case RaftInputKind.Completeness:
                _node.Incomplete = input.Flag;
                break;
        }
    }

    private async Task ProcessReadyAsync(Ready ready)
    {
        if (ready.SoftState is { } soft)
        {
            OnSoftState(soft);
        }

        Send(ready.Messages);

        // The core hands out only entries this node has already persisted, so they are applied while this Ready's own
        // entries are written: a committed write no longer waits for the next batch's fsync (etcd's raftNode does the
        // same). A Ready that installs a snapshot applies after it, in order.
        var applyEarly = ready.Snapshot is null && ready.StateSnapshot is null;
        if (applyEarly && ready.CommittedEntries.Count > 0)
        {
            _callbacks.Apply(ready.CommittedEntries);
        }

        if (ready.Snapshot is not null || ready.Entries.Count > 0 || ready.HardState is not null)
        {
            if (_persistence is not null)
            {
                await _persistence.PersistAsync(ready).ConfigureAwait(false);
            }

            if (ready.Snapshot is { } snapshot)
            {
                _storage.ApplySnapshot(snapshot);
            }

            _storage.Append(ready.Entries);
            if (ready.HardState is { } state)
            {
                _storage.SetHardState(state);
            }
        }

        Send(ready.MessagesAfterPersist);
        if (ready.Snapshot is { } installed)
        {
            InstallSnapshot(installed);
        }

        if (ready.StateSnapshot is { } complete)
        {
            // A complete state for this incomplete node's state machine; its log already holds the entries (SPEC §9.4).
            InstallSnapshot(complete);
        }

        if (!applyEarly && ready.CommittedEntries.Count > 0)
        {
            _callbacks.Apply(ready.CommittedEntries);
        }

        foreach (var state in ready.ReadStates)
        {
            CompleteReadBatch(state);
        }

        if (ready.SnapshotWanted is { } wanted)
        {
            _callbacks.SnapshotWanted?.Invoke(wanted);
        }

        var previous = _status;
        _status = previous with { Role = _node.Role, Term = _node.Term, Leader = _node.Leader, Commit = _node.Commit };
    }

    /// <summary>Hands a leader's snapshot to the state machine (after it is stored, for a log snapshot).</summary>
    private void InstallSnapshot(Snapshot snapshot)
    {
        if (_logCluster)
        {
            var leader = _nameOf(_node.Leader);
            RaftLog.SnapshotInstalled(_logger, _nodeName, snapshot.Index, snapshot.Term, leader);
        }

        _callbacks.InstallSnapshot(snapshot);
    }

    private void OnSoftState(SoftState soft)
    {
        var previous = _status;
        var noop = soft.Role == CoreRole.Leader && previous.Role != CoreRole.Leader ? _node.LastIndex : previous.LeaderReadyIndex;
        _status = new RaftStatus(soft.Role, soft.Term, soft.Leader, _node.Commit, noop);
        switch (soft.Role)
        {
            case CoreRole.Leader:
                if (_logCluster)
                {
                    var followers = string.Join(",", _transport.Peers.Select(p => p.Name));
                    RaftLog.Leader(_logger, _nodeName, soft.Term, followers);
                }

                break;
            case CoreRole.Candidate:
            case CoreRole.PreCandidate:
                if (_logCluster && (previous.Role is not (CoreRole.Candidate or CoreRole.PreCandidate) || previous.Term != soft.Term))
                {
                    RaftLog.Candidate(_logger, _nodeName, soft.Term);
                }

                break;
            default:
                if (_logCluster && !soft.Leader.IsNone && (soft.Leader != previous.Leader || soft.Term != previous.Term))
                {
                    var leader = _nameOf(soft.Leader);
                    RaftLog.Following(_logger, _nodeName, leader, soft.Term);
                }

                break;
        }

        if (soft.Leader != previous.Leader || soft.Term != previous.Term)
        {
            // Read-index requests are dropped by the core on a leader change: ask again, on the new leader.
            RequeueReads();
        }

        _callbacks.StateChanged(_status);
    }

    private void Send(IReadOnlyList<Message> messages)
    {
        if (messages.Count == 0)
        {
            return;
        }

        foreach (var message in messages)
        {
            if (!_outgoing.TryGetValue(message.To, out var list))
            {
                list = [];
                _outgoing[message.To] = list;
            }

            list.Add(message);
        }

        foreach (var (to, list) in _outgoing)
        {
            if (list.Count == 0)
            {
                continue;
            }

            try
            {
                _transport.Send(to, list.ToArray());
            }
            catch (ArgumentException)
            {
                // Not a peer: the core never addresses one, but a bug must not stop the loop.
            }

            foreach (var message in list)
            {
                if (message.Type == MessageType.Snap)
                {
                    // The transport does not confirm delivery; the follower's answer (or its next rejection) does.
                    if (_logCluster)
                    {
                        var peer = _nameOf(to);
                        RaftLog.SnapshotSent(_logger, _nodeName, message.Snapshot!.Index, peer);
                    }

                    _node.ReportSnapshot(to, success: true);
                }
            }

            list.Clear();
        }
    }

    private void RecordSnapshot(RaftInput input)
    {
        var index = input.Index;
        if (index > _storage.GetSnapshot().Index && index <= _storage.LastIndex)
        {
            var snapshot = _storage.CreateSnapshot(index, input.Data);

            // Keep some entries behind the snapshot, so a follower that is a little behind catches up from the log
            // instead of receiving the whole state. After a volatile reset, keep none: entries before it may be
            // filtered, and a complete node sends its state instead of them (SPEC §9.4).
            var keep = input.Flag ? 0 : _callbacks.CatchUpEntries;
            if (index > keep && index - keep > _storage.FirstIndex)
            {
                _storage.Compact(index - keep);
            }

            if (_persistence is not null && _snapshotSave.IsCompleted)
            {
                _snapshotSave = SaveSnapshotAsync(snapshot, input.DiskData ?? input.Data);
            }
        }

        if (input.ForIncompletePeers)
        {
            // Even when this image was not recorded (the stored snapshot is as recent): the core sends the stored one.
            _node.SendRequestedSnapshots();
        }
    }

    private async Task SaveSnapshotAsync(Snapshot snapshot, ReadOnlyMemory<byte> diskImage)
    {
        try
        {
            await _persistence!.SaveSnapshotAsync(snapshot, diskImage).ConfigureAwait(false);
            if (_logCluster)
            {
                RaftLog.SnapshotSaved(_logger, _nodeName, snapshot.Index, snapshot.Data.Length);
            }
        }
        catch (Exception ex)
        {
            _callbacks.Failed(ex);
        }
    }
}
