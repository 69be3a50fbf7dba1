using System.Diagnostics;

namespace AntiEtcd.Raft;

/// <summary>TinyRaft: the pure consensus core of one cluster member (DESIGN §3, docs/raft.md).</summary>
/// <remarks>
/// <para>The node does no I/O, reads no clock, starts no task and draws randomness only from
/// <see cref="RaftConfig.Random"/>. Inputs are <see cref="Tick"/>, <see cref="Step"/>, <see cref="Propose"/>,
/// <see cref="ReadIndex"/>, <see cref="TransferLeadership"/> and <see cref="Campaign"/>; outputs are collected
/// in a <see cref="Ready"/> that the application processes (persist, send, apply) before calling <see cref="Advance"/>.</para>
/// <para>Thread-safety: none. One loop owns the node and makes every call. Inputs may be given between
/// <see cref="GetReady"/> and <see cref="Advance"/>; at most one Ready may be outstanding.</para>
/// </remarks>
public sealed partial class RaftNode
{
    private readonly RaftConfig _config;
    private readonly NodeId[] _voters;
    private readonly RaftLog _log;
    private readonly Random _random;
    private readonly Dictionary<NodeId, Progress> _progress = [];
    private readonly Dictionary<NodeId, bool> _votes = [];
    private List<Message> _messages = [];
    private List<Message> _messagesAfterPersist = [];
    private List<ReadState> _readStates = [];
    private HardState _prevHardState;
    private SoftState _prevSoftState;
    private bool _readyOutstanding;
    private bool _needBroadcast;

    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;
    private int _priorityElapsed;
    private long _ticksSinceStart;
    private long _ticksSinceLeader;
    private bool _heardFromLeader;

    // The highest index a leader's message showed to be committed (an append's or heartbeat's commit, a snapshot's
    // index). An in-memory node's own log may be shorter: it forgot what it acknowledged before a restart.
    private ulong _knownCommitted;
    private ulong? _snapshotWanted;
    private Snapshot? _stateSnapshot;

    /// <summary>Creates a node from its configuration and persisted state; it starts as a follower (a one-node cluster elects itself at once).</summary>
    public RaftNode(RaftConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        _voters = [.. config.Voters];
        if (Array.IndexOf(_voters, config.Id) < 0)
        {
            throw new ArgumentException($"node {config.Id} is not among the voters", nameof(config));
        }

        Incomplete = config.IncompleteState;
        _random = config.Random ?? new Random(unchecked((int)config.Id.Value ^ (int)(config.Id.Value >> 32)));
        _log = new RaftLog(config.Storage, config.Applied);
        var hs = config.Storage.InitialState();
        if (!hs.IsEmpty)
        {
            if (hs.Commit > _log.LastIndex)
            {
                throw new InvalidOperationException($"persisted commit {hs.Commit} is beyond the persisted log ({_log.LastIndex})");
            }

            _log.CommitTo(hs.Commit);
            Term = hs.Term;
            Vote = hs.Vote;
        }

        if (_log.Applied > _log.Committed)
        {
            throw new InvalidOperationException($"applied {_log.Applied} is beyond commit {_log.Committed}");
        }

        BecomeFollower(Term, NodeId.None);
        _prevHardState = hs;
        _prevSoftState = SoftState;

        if (_voters.Length == 1)
        {
            Campaign();
        }
    }

    /// <summary>This node's ID.</summary>
    public NodeId Id => _config.Id;

    /// <summary>The voting members.</summary>
    public IReadOnlyList<NodeId> Voters => _voters;

    /// <summary>The current term.</summary>
    public ulong Term { get; private set; }

    /// <summary>The node voted for in <see cref="Term"/>, or <see cref="NodeId.None"/>.</summary>
    public NodeId Vote { get; private set; }

    /// <summary>The known leader of <see cref="Term"/>, or <see cref="NodeId.None"/>.</summary>
    public NodeId Leader { get; private set; }

    /// <summary>This node's role.</summary>
    public RaftRole Role { get; private set; }

    /// <summary>The highest index known committed.</summary>
    public ulong Commit => _log.Committed;

    /// <summary>The highest index applied (as acknowledged through <see cref="Advance"/>).</summary>
    public ulong Applied => _log.Applied;

    /// <summary>The index of the last entry in the log, persisted or not.</summary>
    public ulong LastIndex => _log.LastIndex;

    /// <summary>
    /// This node's state is incomplete (SPEC §9.4): it campaigns late, says so in its answers, and, as a leader, sends
    /// no snapshot for incomplete followers. Starts as <see cref="RaftConfig.IncompleteState"/>; the application sets
    /// it as it applies filtered entries and volatile resets, and the core as it installs snapshots.
    /// </summary>
    public bool Incomplete { get; set; }

    /// <summary>The leadership transfer target, or <see cref="NodeId.None"/>.</summary>
    public NodeId LeadTransferee { get; private set; }

    /// <summary>The current soft state.</summary>
    public SoftState SoftState => new(Leader, Role, Term);

    /// <summary>The current hard state (possibly not yet persisted).</summary>
    public HardState HardState => new(Term, Vote, _log.Committed);

    private bool Promotable => Array.IndexOf(_voters, Id) >= 0;

    private int ElectionTicks => _config.ElectionTicks;

    internal RaftBugs Bugs => _config.PlantedBugs;

    internal Progress? GetProgress(NodeId id) => _progress.GetValueOrDefault(id);

    internal ulong TermAt(ulong index) => _log.TermOrZero(index);

    /// <summary>Advances logical time by one tick: drives election timeouts, heartbeats, check-quorum and priority transfers.</summary>
    public void Tick()
    {
        _ticksSinceStart++;
        _ticksSinceLeader++;
        if (Role == RaftRole.Leader)
        {
            TickHeartbeat();
        }
        else
        {
            TickElection();
        }
    }

    /// <summary>Feeds a message from a peer into the state machine.</summary>
    /// <remarks>Messages for another node, or from non-members, are ignored. Duplicated, delayed and reordered messages are safe.</remarks>
    public void Step(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.To != Id || Array.IndexOf(_voters, message.From) < 0 || message.From == Id)
        {
            return;
        }

        StepInternal(message);
    }

    /// <summary>Proposes a command to be appended to the log. Only the leader accepts proposals.</summary>
    /// <param name="data">The command; the buffer is kept by reference and must not change.</param>
    /// <remarks>The appends are sent in the next <see cref="GetReady"/>, so proposals made back to back share messages.</remarks>
    public ProposeResult Propose(ReadOnlyMemory<byte> data)
    {
        if (Role != RaftRole.Leader)
        {
            return new ProposeResult(ProposeStatus.NotLeader, 0, 0);
        }

        if (!LeadTransferee.IsNone)
        {
            return new ProposeResult(ProposeStatus.LeadershipTransferInProgress, 0, 0);
        }

        var entry = new Entry(Term, _log.LastIndex + 1, EntryType.Normal, data);
        AppendEntry(entry);
        _needBroadcast = true;
        return new ProposeResult(ProposeStatus.Accepted, entry.Index, entry.Term);
    }

    /// <summary>Asks for a read index for a linearizable read (Raft thesis §6.4); the answer is a <see cref="ReadState"/> carrying <paramref name="context"/>.</summary>
    /// <param name="context">Identifies the request (unique among requests in flight); one request may stand for a whole batch of reads.</param>
    /// <remarks>
    /// The leader answers once it has committed an entry of its term and a majority has confirmed its leadership in a
    /// heartbeat round sent after the request; a follower forwards the request to the leader. Requests are dropped,
    /// without an answer, when leadership changes: the application times out and retries.
    /// </remarks>
    public ReadIndexStatus ReadIndex(ReadOnlyMemory<byte> context)
    {
        if (Role == RaftRole.Leader)
        {
            HandleReadIndexRequest(Id, context);
            return ReadIndexStatus.Pending;
        }

        if (Leader.IsNone)
        {
            return ReadIndexStatus.NoLeader;
        }

        Send(new Message { Type = MessageType.ReadIndex, To = Leader, Context = context });
        return ReadIndexStatus.Pending;
    }

    /// <summary>Starts an election now (with a pre-vote if configured), as if the election timeout had passed.</summary>
    public void Campaign()
    {
        if (Role != RaftRole.Leader)
        {
            StartCampaign(_config.PreVote, transfer: false);
        }
    }

    /// <summary>Hands leadership over to <paramref name="to"/> (Raft thesis §3.10): used for <c>leader_priority</c> and for a graceful stop.</summary>
    /// <returns>False if this node is not the leader or <paramref name="to"/> is not another voter.</returns>
    /// <remarks>
    /// The leader stops accepting proposals, brings <paramref name="to"/> up to date, then sends it
    /// <see cref="MessageType.TimeoutNow"/>. The transfer is abandoned after an election timeout.
    /// </remarks>
    public bool TransferLeadership(NodeId to)
    {
        if (Role != RaftRole.Leader || to == Id || !_progress.TryGetValue(to, out var pr))
        {
            return false;
        }

        if (LeadTransferee == to)
        {
            return true;
        }

        LeadTransferee = to;
        _electionElapsed = 0;
        if (pr.Match == _log.LastIndex)
        {
            Send(new Message { Type = MessageType.TimeoutNow, To = to });
        }
        else
        {
            MaybeSendAppend(to, sendIfEmpty: true);
        }

        return true;
    }

    /// <summary>The transport could not reach <paramref name="peer"/>: stop streaming to it optimistically.</summary>
    public void ReportUnreachable(NodeId peer)
    {
        if (Role == RaftRole.Leader && _progress.TryGetValue(peer, out var pr) && pr.State == ProgressState.Replicate)
        {
            pr.BecomeProbe();
        }
    }

    /// <summary>
    /// The transport lost every connection to <paramref name="leader"/> (its process died: the peer's kernel closed
    /// them). A follower then stops honouring the leader lease and campaigns after a short randomized wait, in
    /// (1, ElectionTicks / 2 + 1] ticks, instead of up to two election timeouts; a peer told the same grants its
    /// pre-vote. Liveness only: votes still need an up-to-date log and one vote per term, and a live leader's next
    /// message resets the timer. Ignored unless <paramref name="leader"/> is this node's current leader.
    /// </summary>
    public void ReportLeaderLost(NodeId leader)
    {
        if (Role == RaftRole.Leader || Leader.IsNone || leader != Leader)
        {
            return;
        }

        _electionElapsed = Math.Max(_electionElapsed, ElectionTicks);
        _randomizedElectionTimeout = _electionElapsed + 1 + _random.Next(Math.Max(1, ElectionTicks / 2));
    }

    /// <summary>The transport finished sending a snapshot to <paramref name="peer"/>, successfully or not.</summary>
    /// <remarks>Without this report a follower whose snapshot was lost would never be retried.</remarks>
    public void ReportSnapshot(NodeId peer, bool success)
    {
        if (Role != RaftRole.Leader || !_progress.TryGetValue(peer, out var pr) || pr.State != ProgressState.Snapshot)
        {
            return;
        }

        // On success wait for the follower's AppResp; probing resumes after the snapshot either way.
        pr.BecomeProbe();
        pr.ProbeSent = success;
    }

    /// <summary>Whether <see cref="GetReady"/> would return any work.</summary>
    public bool HasReady()
    {
        if (_readyOutstanding)
        {
            return false;
        }

        return _needBroadcast
            || SoftState != _prevSoftState
            || HardState != _prevHardState
            || _log.HasUnstableToHandOut(PersistLimit())
            || _log.HasSnapshotToHandOut
            || _log.HasCommittedToHandOut
            || _messages.Count > 0
            || _messagesAfterPersist.Count > 0
            || _readStates.Count > 0
            || _snapshotWanted is not null
            || _stateSnapshot is not null;
    }

    /// <summary>Collects the pending work. The application must process it (see <see cref="Ready"/>) and then call <see cref="Advance"/>.</summary>
    public Ready GetReady()
    {
        if (_readyOutstanding)
        {
            throw new InvalidOperationException("the previous Ready has not been advanced");
        }

        if (_needBroadcast)
        {
            _needBroadcast = false;
            if (Role == RaftRole.Leader)
            {
                BroadcastAppend();
            }
        }

        var ss = SoftState;
        var hs = HardState;
        var entries = _log.TakeUnstableEntries(PersistLimit());
        var snapshot = _log.TakeUnstableSnapshot();
        var rd = new Ready
        {
            SoftState = ss != _prevSoftState ? ss : null,
            HardState = hs != _prevHardState ? hs : null,
            Entries = entries,
            Snapshot = snapshot,
            CommittedEntries = _log.TakeCommittedEntries(_config.MaxCommittedSizePerReady),
            Messages = _messages,
            MessagesAfterPersist = _messagesAfterPersist,
            ReadStates = _readStates,
            MustSync = entries.Count > 0 || snapshot is not null || hs.Term != _prevHardState.Term || hs.Vote != _prevHardState.Vote,
            SnapshotWanted = _snapshotWanted,
            StateSnapshot = _stateSnapshot,
        };
        _snapshotWanted = null;
        _stateSnapshot = null;
        _messages = [];
        _messagesAfterPersist = [];
        _readStates = [];
        _prevSoftState = ss;
        _prevHardState = hs;
        _readyOutstanding = true;
        return rd;
    }

    /// <summary>Tells the core that <paramref name="ready"/> was processed: persisted, sent and applied.</summary>
    /// <remarks>
    /// The leader counts its own copy of entries towards commit only here, after they are persisted
    /// (Raft thesis §10.2.1), so the next Ready may carry new committed entries.
    /// </remarks>
    public void Advance(Ready ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        _readyOutstanding = false;
        if (ready.Snapshot is not null)
        {
            _log.StableSnapTo(ready.Snapshot.Index);
            _log.AppliedTo(ready.Snapshot.Index);
        }

        if (ready.StateSnapshot is not null)
        {
            _log.AppliedTo(ready.StateSnapshot.Index);
        }

        if (ready.Entries.Count > 0)
        {
            var last = ready.Entries[^1];
            _log.StableTo(last.Index, last.Term);
        }

        if (ready.CommittedEntries.Count > 0)
        {
            _log.AppliedTo(ready.CommittedEntries[^1].Index);
        }

        if (Role == RaftRole.Leader && _progress[Id].MaybeUpdate(_log.PersistedIndex) && MaybeCommit())
        {
            BroadcastAppend();
        }
    }

    private void Send(Message m, ulong? term = null)
    {
        m = m with { From = Id, Term = term ?? Term };
        Debug.Assert(m.To != Id, "no messages to self");
        // Vote requests, votes and append acknowledgements promise durable state (Raft Figure 2: "respond after persisting").
        if (m.Type is MessageType.Vote or MessageType.VoteResp or MessageType.AppResp)
        {
            _messagesAfterPersist.Add(m);
        }
        else
        {
            _messages.Add(m);
        }
    }

    private void AppendEntry(Entry entry)
    {
        _log.Append([entry]);
        if ((Bugs & RaftBugs.LeaderCountsSelfBeforePersist) != 0)
        {
            _progress[Id].MaybeUpdate(entry.Index);
            MaybeCommit();
        }
    }
}
