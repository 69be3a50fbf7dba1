using System.Buffers.Binary;
using System.Text;
using AntiEtcd.Raft;

namespace AntiEtcd.Simulation.Tests;

/// <summary>
/// A deterministic, single-threaded simulation of a TinyRaft cluster: nodes, a faulty network, crashes and
/// restarts, clients, all on virtual time and driven by one seed. Invariants are checked after every event.
/// </summary>
internal sealed class Simulation
{
    private readonly SimOptions _o;
    private readonly Random _random;
    private readonly PriorityQueue<SimEvent, (long Time, long Seq)> _queue = new();
    private readonly SimNode[] _nodes;
    private readonly HashSet<(int From, int To)> _cut = [];
    private readonly SimEvent?[] _trace;
    private readonly InvariantChecker _checker = new();
    private readonly Dictionary<(int Node, int Incarnation, ulong Index), ulong> _proposals = [];
    private readonly Dictionary<long, (int Key, ulong Bound)> _reads = [];
    private long _seq;
    private long _now;
    private long _events;
    private int _nextValue = 1;
    private long _nextRead = 1;
    private bool _quiet;

    public Simulation(SimOptions options)
    {
        _o = options;
        _random = new Random(options.Seed);
        _trace = new SimEvent?[options.TraceLength];
        var voters = new NodeId[options.Nodes];
        for (var i = 0; i < voters.Length; i++)
        {
            voters[i] = new NodeId((ulong)i + 1);
        }

        _nodes = new SimNode[options.Nodes];
        for (var i = 0; i < _nodes.Length; i++)
        {
            _nodes[i] = new SimNode(i, voters, options, _random.Next(), options.Priorities ? _random.Next(3) : 0);
        }
    }

    public InvariantChecker Checker => _checker;

    public long Events => _events;

    /// <summary>
    /// How much the run exercised: crashes, partitions, snapshots installed, transfers, dropped messages; with
    /// <see cref="SimOptions.IncompleteRestartRate"/>, also incomplete restarts and snapshots taken for them.
    /// </summary>
    public Dictionary<string, int> Stats { get; } = new()
    {
        ["crashes"] = 0, ["partitions"] = 0, ["oneway"] = 0, ["snapshots"] = 0, ["transfers"] = 0, ["dropped"] = 0, ["duplicated"] = 0,
    };

    /// <summary>Runs the whole scenario; throws <see cref="SimulationViolationException"/> with the seed and trace on failure.</summary>
    public void Run()
    {
        try
        {
            RunCore();
        }
        catch (Exception ex)
        {
            var sb = new StringBuilder();
            var violation = ex is SimulationViolationException sv ? sv.Violation : $"{ex.GetType().Name}: {ex.Message}";
            sb.Append($"Simulation failed: seed={_o.Seed} nodes={_o.Nodes} bugs={_o.Bugs} t={_now}ms after {_events} events\n");
            sb.Append($"Violation: {violation}\n");
            sb.Append($"Replay: ANTIETCD_SIM_SEED={_o.Seed} ANTIETCD_SIM_NODES={_o.Nodes}\n");
            sb.Append($"Last {_trace.Length} events:\n");
            for (var i = 0; i < _trace.Length; i++)
            {
                var e = _trace[(_events + i) % _trace.Length];
                if (e is not null)
                {
                    sb.Append("  ").Append(e).Append('\n');
                }
            }

            sb.Append("Nodes:\n");
            foreach (var n in _nodes)
            {
                sb.Append($"  n{n.Index + 1}: {(n.Up ? "up" : "down")} {n.Raft.Role} term={n.Raft.Term} lead={n.Raft.Leader} commit={n.Raft.Commit} applied={n.AppliedIndex} last={n.Raft.LastIndex} first={n.Storage.FirstIndex}\n");
            }

            throw new SimulationViolationException(sb.ToString(), ex) { Violation = violation };
        }
    }

    private void RunCore()
    {
        for (var i = 0; i < _nodes.Length; i++)
        {
            Schedule(new SimEvent { Kind = SimEventKind.Tick, Node = i, Incarnation = 1 }, _random.Next(_o.TickMs));
            Schedule(new SimEvent { Kind = SimEventKind.TakeSnapshot, Node = i }, _random.Next(_o.SnapshotEveryMs));
        }

        Schedule(new SimEvent { Kind = SimEventKind.ClientWrite }, _o.WriteEveryMs);
        Schedule(new SimEvent { Kind = SimEventKind.ClientRead }, _o.ReadEveryMs);
        Schedule(new SimEvent { Kind = SimEventKind.Nemesis }, _random.Next(_o.NemesisEveryMs * 2));
        Schedule(new SimEvent { Kind = SimEventKind.Quiesce }, _o.FaultyMs);
        for (var i = 0; i < _nodes.Length; i++)
        {
            MaybeScheduleReady(_nodes[i]);
        }

        var end = _o.FaultyMs + _o.QuietMs;
        while (_queue.TryDequeue(out var ev, out var at) && at.Time <= end)
        {
            _now = at.Time;
            _trace[_events % _trace.Length] = ev;
            _events++;
            Execute(ev);
            _checker.AfterStep(_nodes);
        }

        CheckConverged();
    }

    private void Schedule(SimEvent ev, long delay)
    {
        ev.Time = _now + delay;
        _queue.Enqueue(ev, (ev.Time, _seq++));
    }

    private void Execute(SimEvent ev)
    {
        var node = ev.Node >= 0 ? _nodes[ev.Node] : null;
        switch (ev.Kind)
        {
            case SimEventKind.Tick:
                if (node!.Up && node.Incarnation == ev.Incarnation)
                {
                    node.Raft.Tick();
                    MaybeScheduleReady(node);
                    Schedule(new SimEvent { Kind = SimEventKind.Tick, Node = node.Index, Incarnation = node.Incarnation }, _o.TickMs);
                }

                break;
            case SimEventKind.Deliver:
                Deliver(ev);
                break;
            case SimEventKind.ProcessReady:
                ProcessReady(node!, ev);
                break;
            case SimEventKind.Persist:
                Persist(node!, ev);
                break;
            case SimEventKind.ReportSnapshot:
                if (node!.Up && node.Incarnation == ev.Incarnation)
                {
                    node.Raft.ReportSnapshot(_nodes[ev.Peer].Id, ev.Flag);
                    MaybeScheduleReady(node);
                }

                break;
            case SimEventKind.ClientWrite:
                ClientWrite(ev);
                if (!_quiet || _now < _o.FaultyMs + (_o.QuietMs / 2))
                {
                    Schedule(new SimEvent { Kind = SimEventKind.ClientWrite }, 1 + _random.Next(_o.WriteEveryMs * 2));
                }

                break;
            case SimEventKind.ClientRead:
                ClientRead(ev);
                Schedule(new SimEvent { Kind = SimEventKind.ClientRead }, 1 + _random.Next(_o.ReadEveryMs * 2));
                break;
            case SimEventKind.Nemesis:
                if (!_quiet)
                {
                    Nemesis(ev);
                    Schedule(new SimEvent { Kind = SimEventKind.Nemesis }, 1 + _random.Next(_o.NemesisEveryMs * 2));
                }

                break;
            case SimEventKind.Restart:
                if (!node!.Up)
                {
                    var incomplete = _o.IncompleteRestartRate > 0 && _random.NextDouble() < _o.IncompleteRestartRate;
                    node.Start(_random.Next(), incomplete);
                    if (incomplete)
                    {
                        Stats["incomplete restarts"] = Stats.GetValueOrDefault("incomplete restarts") + 1;
                    }

                    Schedule(new SimEvent { Kind = SimEventKind.Tick, Node = node.Index, Incarnation = node.Incarnation }, _random.Next(_o.TickMs));
                    MaybeScheduleReady(node);
                }

                break;
            case SimEventKind.TakeSnapshot:
                TakeSnapshot(node!);
                Schedule(new SimEvent { Kind = SimEventKind.TakeSnapshot, Node = node!.Index }, 1 + _random.Next(_o.SnapshotEveryMs * 2));
                break;
            case SimEventKind.SnapshotForIncomplete:
                SnapshotForIncomplete(node!, ev);
                break;
            case SimEventKind.Quiesce:
                _quiet = true;
                _cut.Clear();
                foreach (var n in _nodes)
                {
                    if (!n.Up)
                    {
                        Schedule(new SimEvent { Kind = SimEventKind.Restart, Node = n.Index }, _random.Next(50));
                    }
                }

                ev.Note = "heal all, restart all; no more faults";
                break;
            default:
                throw new InvalidOperationException($"unknown event {ev.Kind}");
        }
    }

    private void MaybeScheduleReady(SimNode node)
    {
        if (node.Up && !node.ProcessReadyScheduled && !node.PersistPending && node.Raft.HasReady())
        {
            node.ProcessReadyScheduled = true;
            Schedule(new SimEvent { Kind = SimEventKind.ProcessReady, Node = node.Index, Incarnation = node.Incarnation }, _random.Next(2));
        }
    }

    /// <summary>Step 1 of the Ready contract: take the Ready and send what may go before persistence.</summary>
    private void ProcessReady(SimNode node, SimEvent ev)
    {
        if (!node.Up || node.Incarnation != ev.Incarnation)
        {
            return;
        }

        node.ProcessReadyScheduled = false;
        if (node.PersistPending || !node.Raft.HasReady())
        {
            return;
        }

        var rd = node.Raft.GetReady();
        foreach (var m in rd.Messages)
        {
            Send(node, m);
        }

        if (rd.Snapshot is null && rd.StateSnapshot is null)
        {
            ApplyCommitted(node, rd.CommittedEntries);
        }

        node.PersistPending = true;
        ev.Note = $"entries={rd.Entries.Count} committed={rd.CommittedEntries.Count} msgs={rd.Messages.Count}+{rd.MessagesAfterPersist.Count}{(rd.Snapshot is null ? "" : " snapshot")}";
        // The fsync takes a while; the node keeps receiving messages meanwhile, and a crash now loses this Ready.
        Schedule(new SimEvent { Kind = SimEventKind.Persist, Node = node.Index, Incarnation = node.Incarnation, Ready = rd }, _random.Next(_o.MaxFsyncMs + 1));
    }

    /// <summary>Steps 2-5: persist, send the rest, apply, advance.</summary>
    private void Persist(SimNode node, SimEvent ev)
    {
        if (!node.Up || node.Incarnation != ev.Incarnation)
        {
            return;
        }

        var rd = ev.Ready!;
        if (rd.Snapshot is not null)
        {
            node.Storage.ApplySnapshot(rd.Snapshot);
        }

        node.Storage.Append(rd.Entries);
        if (rd.HardState is { } hs)
        {
            node.Storage.SetHardState(hs);
        }

        _checker.OnPersisted(node, rd.Entries);
        foreach (var m in rd.MessagesAfterPersist)
        {
            Send(node, m);
        }

        if (rd.Snapshot is not null)
        {
            node.Restore(rd.Snapshot.Data.Span);
            node.AppliedIndex = rd.Snapshot.Index;
            _checker.OnSnapshotInstalled(node, rd.Snapshot.Index);
            Stats["snapshots"]++;
        }

        if (rd.StateSnapshot is { } state)
        {
            // SPEC §9.4: a complete leader's state replaces this node's state machine; its log stays.
            node.Restore(state.Data.Span);
            node.AppliedIndex = state.Index;
            _checker.OnSnapshotInstalled(node, state.Index);
            Stats["state snapshots"] = Stats.GetValueOrDefault("state snapshots") + 1;
        }

        if (rd.Snapshot is not null || rd.StateSnapshot is not null)
        {
            // After the install: these entries follow the snapshot.
            ApplyCommitted(node, rd.CommittedEntries);
        }

        foreach (var rs in rd.ReadStates)
        {
            var id = BinaryPrimitives.ReadInt64LittleEndian(rs.Context.Span);
            if (_reads.TryGetValue(id, out var read))
            {
                InvariantChecker.OnReadState(node, rs, read.Bound);
                node.WaitingReads.Add(rs);
            }
        }

        if (rd.SnapshotWanted is { } wanted)
        {
            Schedule(new SimEvent { Kind = SimEventKind.SnapshotForIncomplete, Node = node.Index, Incarnation = node.Incarnation, Index = wanted }, _random.Next(_o.MaxFsyncMs + 1));
        }

        ServeReads(node);
        node.PersistPending = false;
        node.Raft.Advance(rd);
        MaybeScheduleReady(node);
    }

    /// <summary>
    /// Applies committed entries. The core hands out only entries this node has persisted, so, as the server does,
    /// they are applied before the Ready's own entries are persisted unless the Ready installs a snapshot.
    /// </summary>
    private void ApplyCommitted(SimNode node, IReadOnlyList<Entry> committed)
    {
        foreach (var e in committed)
        {
            if (e.Index != node.AppliedIndex + 1)
            {
                throw InvariantChecker.Violation($"n{node.Index + 1} asked to apply {e.Index} after {node.AppliedIndex}");
            }

            if (e.Type == EntryType.Normal)
            {
                var cmd = RegisterCommand.Decode(e.Data.Span);
                node.Registers[cmd.Key] = cmd.Value;
            }

            node.AppliedIndex = e.Index;
            if (node.Raft.Incomplete && node.Raft.Role == RaftRole.Leader && e.Term == node.Raft.Term)
            {
                // Where the server's volatile reset makes an incomplete leader complete.
                node.Raft.Incomplete = false;
            }

            var acked = _proposals.Remove((node.Index, node.Incarnation, e.Index), out var term) && term == e.Term;
            _checker.OnApplied(node, e, acked);
            if (acked)
            {
                _checker.OnAcked();
            }
        }
    }

    private void ServeReads(SimNode node)
    {
        for (var i = node.WaitingReads.Count - 1; i >= 0; i--)
        {
            var rs = node.WaitingReads[i];
            if (node.AppliedIndex >= rs.Index)
            {
                var id = BinaryPrimitives.ReadInt64LittleEndian(rs.Context.Span);
                if (_reads.Remove(id, out var read))
                {
                    _checker.OnReadServed(node, read.Key, rs.Index);
                }

                node.WaitingReads.RemoveAt(i);
            }
        }
    }

    private void Send(SimNode from, Message m)
    {
        var to = (int)m.To.Value - 1;
        var copies = _random.NextDouble() < _o.DuplicateRate ? 2 : 1;
        Stats["duplicated"] += copies - 1;
        for (var c = 0; c < copies; c++)
        {
            var delay = _o.MinDelayMs + _random.Next(_o.MaxDelayMs - _o.MinDelayMs + 1);
            if (_random.NextDouble() < _o.LongDelayRate)
            {
                delay += 20 + _random.Next(300);
            }

            Schedule(new SimEvent { Kind = SimEventKind.Deliver, Node = to, Message = m, Peer = from.Index, Incarnation = from.Incarnation }, delay);
        }
    }

    private void Deliver(SimEvent ev)
    {
        var m = ev.Message!;
        var to = _nodes[ev.Node];
        var from = ev.Peer;
        var dropped = !to.Up || _cut.Contains((from, ev.Node)) || (!_quiet && _random.NextDouble() < _o.DropRate);
        if (m.Type == MessageType.Snap)
        {
            // A snapshot travels over a stream: the sender's transport learns whether it arrived (ReportSnapshot).
            Schedule(new SimEvent { Kind = SimEventKind.ReportSnapshot, Node = from, Incarnation = ev.Incarnation, Peer = ev.Node, Flag = !dropped }, 1);
        }

        if (dropped)
        {
            ev.Note = "dropped";
            Stats["dropped"]++;
            return;
        }

        to.Raft.Step(m);
        MaybeScheduleReady(to);
    }

    private void ClientWrite(SimEvent ev)
    {
        var node = _nodes[_random.Next(_nodes.Length)];
        if (!node.Up || node.Raft.Role != RaftRole.Leader)
        {
            return;
        }

        var cmd = new RegisterCommand(_random.Next(_o.Keys), _nextValue++);
        var result = node.Raft.Propose(cmd.Encode());
        if (result.Status == ProposeStatus.Accepted)
        {
            _proposals[(node.Index, node.Incarnation, result.Index)] = result.Term;
            ev.Note = $"n{node.Index + 1} proposed {cmd} at {result.Term}/{result.Index}";
            MaybeScheduleReady(node);
        }
    }

    private void ClientRead(SimEvent ev)
    {
        var node = _nodes[_random.Next(_nodes.Length)];
        if (!node.Up)
        {
            return;
        }

        var id = _nextRead++;
        var ctx = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(ctx, id);
        if (node.Raft.ReadIndex(ctx) == ReadIndexStatus.Pending)
        {
            var key = _random.Next(_o.Keys);
            _reads[id] = (key, _checker.ReadBound);
            ev.Note = $"n{node.Index + 1} read {key} ctx={id} bound={_checker.ReadBound}";
            MaybeScheduleReady(node);
        }
    }

    private void Nemesis(SimEvent ev)
    {
        var roll = _random.NextDouble();
        if (roll < _o.CrashRate)
        {
            var n = _nodes[_random.Next(_nodes.Length)];
            if (_random.NextDouble() < _o.CrashLeaderBias && _nodes.FirstOrDefault(x => x.Up && x.Raft.Role == RaftRole.Leader) is { } leader)
            {
                n = leader;
            }

            if (n.Up)
            {
                n.Crash();
                Schedule(new SimEvent { Kind = SimEventKind.Restart, Node = n.Index }, 50 + _random.Next(_o.MaxDownMs));
                ev.Note = $"crash n{n.Index + 1}";
                Stats["crashes"]++;
            }
        }
        else if (roll < _o.CrashRate + 0.25)
        {
            _cut.Clear();
            var side = new bool[_nodes.Length];
            for (var i = 0; i < side.Length; i++)
            {
                side[i] = _random.Next(2) == 0;
            }

            for (var a = 0; a < side.Length; a++)
            {
                for (var b = 0; b < side.Length; b++)
                {
                    if (side[a] != side[b])
                    {
                        _cut.Add((a, b));
                    }
                }
            }

            Stats["partitions"]++;
            ev.Note = $"partition [{string.Join(",", side.Select((s, i) => s ? $"n{i + 1}" : null).Where(s => s is not null))}] from the rest";
        }
        else if (roll < _o.CrashRate + 0.4)
        {
            var a = _random.Next(_nodes.Length);
            var b = (a + 1 + _random.Next(_nodes.Length - 1)) % _nodes.Length;
            _cut.Add((a, b));
            ev.Note = $"cut n{a + 1} -> n{b + 1} (one way)";
            Stats["oneway"]++;
        }
        else if (roll < _o.CrashRate + 0.65)
        {
            _cut.Clear();
            ev.Note = "heal";
        }
        else
        {
            var n = _nodes[_random.Next(_nodes.Length)];
            if (n.Up && n.Raft.Role == RaftRole.Leader)
            {
                var to = _nodes[(n.Index + 1 + _random.Next(_nodes.Length - 1)) % _nodes.Length];
                n.Raft.TransferLeadership(to.Id);
                MaybeScheduleReady(n);
                Stats["transfers"]++;
                ev.Note = $"transfer leadership n{n.Index + 1} -> n{to.Index + 1}";
            }
        }
    }

    /// <summary>A complete leader's snapshot for its incomplete followers, once it has applied what they need.</summary>
    private void SnapshotForIncomplete(SimNode node, SimEvent ev)
    {
        if (!node.Up || node.Incarnation != ev.Incarnation || node.Raft.Role != RaftRole.Leader)
        {
            return;
        }

        if (node.PersistPending || node.AppliedIndex < ev.Index)
        {
            Schedule(new SimEvent { Kind = SimEventKind.SnapshotForIncomplete, Node = node.Index, Incarnation = node.Incarnation, Index = ev.Index }, 1 + _random.Next(_o.MaxFsyncMs + 1));
            return;
        }

        if (node.AppliedIndex > node.Storage.GetSnapshot().Index)
        {
            node.Storage.CreateSnapshot(node.AppliedIndex, node.SerializeState());
        }

        node.Raft.SendRequestedSnapshots();
        Stats["snapshots for incomplete"] = Stats.GetValueOrDefault("snapshots for incomplete") + 1;
        MaybeScheduleReady(node);
    }

    private static void TakeSnapshot(SimNode node)
    {
        if (!node.Up || node.PersistPending)
        {
            return;
        }

        var applied = node.AppliedIndex;
        if (applied < node.Storage.FirstIndex + 8)
        {
            return;
        }

        node.Storage.CreateSnapshot(applied, node.SerializeState());
        // Keep a short tail so that slightly lagging followers still get entries, and others need the snapshot.
        node.Storage.Compact(applied - 4);
    }

    private void CheckConverged()
    {
        var leader = _nodes.Where(n => n.Up && n.Raft.Role == RaftRole.Leader).MaxBy(n => n.Raft.Term);
        if (leader is null)
        {
            throw InvariantChecker.Violation($"liveness: no leader {_o.QuietMs} ms after the faults stopped");
        }

        foreach (var n in _nodes)
        {
            if (n.AppliedIndex != leader.Raft.Commit || n.Raft.Commit != leader.Raft.Commit)
            {
                throw InvariantChecker.Violation($"liveness: n{n.Index + 1} applied {n.AppliedIndex} (commit {n.Raft.Commit}) but the leader n{leader.Index + 1} committed {leader.Raft.Commit}");
            }

            _checker.CheckState(n, n.AppliedIndex, "final state");
        }

        if (leader.Raft.Commit != _checker.AppliedCount)
        {
            throw InvariantChecker.Violation($"final commit {leader.Raft.Commit} differs from the committed log ({_checker.AppliedCount})");
        }
    }
}
