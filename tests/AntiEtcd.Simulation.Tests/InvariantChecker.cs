using AntiEtcd.Raft;

namespace AntiEtcd.Simulation.Tests;

/// <summary>
/// The safety properties of Raft (§5.4, Figure 3), checked after every simulation step:
/// election safety, log matching, leader completeness, state machine safety (identical apply order),
/// no acknowledged write lost, and linearizable read-index reads.
/// </summary>
internal sealed class InvariantChecker
{
    // The committed log as first applied by anyone: index i at [i - 1]. Every later apply must agree.
    private readonly List<(ulong Term, EntryType Type, RegisterCommand Command, bool Acked)> _applied = [];
    private readonly Dictionary<ulong, NodeId> _leaders = [];
    private readonly Dictionary<(ulong Term, ulong Index), (ulong PrevTerm, int Key, int Value)> _entries = [];
    private readonly Dictionary<int, List<(ulong Index, int Value)>> _history = [];

    /// <summary>The highest commit index any node has reported.</summary>
    public ulong MaxCommit { get; private set; }

    public int AckedWrites { get; private set; }

    public int ServedReads { get; private set; }

    public int Elections => _leaders.Count;

    public ulong AppliedCount => (ulong)_applied.Count;

    /// <summary>Log matching (Raft §5.3): an entry is identified by (term, index), and its predecessor's term is the same on every node.</summary>
    public void OnPersisted(SimNode node, IReadOnlyList<Entry> entries)
    {
        foreach (var e in entries)
        {
            var prevTerm = e.Index - 1 >= node.Storage.FirstIndex - 1 ? node.Storage.Term(e.Index - 1) : ulong.MaxValue;
            var cmd = e.Type == EntryType.Normal ? RegisterCommand.Decode(e.Data.Span) : default;
            if (_entries.TryGetValue((e.Term, e.Index), out var known))
            {
                if (known.Key != cmd.Key || known.Value != cmd.Value)
                {
                    throw Violation($"log matching: two different entries at {e.Term}/{e.Index} (n{node.Index + 1} has {cmd})");
                }

                if (prevTerm != ulong.MaxValue && known.PrevTerm != ulong.MaxValue && known.PrevTerm != prevTerm)
                {
                    throw Violation($"log matching: entry {e.Term}/{e.Index} follows term {prevTerm} on n{node.Index + 1} but term {known.PrevTerm} elsewhere");
                }
            }
            else
            {
                _entries[(e.Term, e.Index)] = (prevTerm, cmd.Key, cmd.Value);
            }
        }
    }

    /// <summary>State machine safety (Raft §5.4.3): every node applies the same entry at each index.</summary>
    public void OnApplied(SimNode node, Entry e, bool ackedHere)
    {
        var cmd = e.Type == EntryType.Normal ? RegisterCommand.Decode(e.Data.Span) : default;
        if (e.Index <= (ulong)_applied.Count)
        {
            var first = _applied[(int)e.Index - 1];
            if (first.Term != e.Term || first.Command != cmd)
            {
                var what = first.Acked ? "acknowledged write lost" : "apply order differs";
                throw Violation($"{what}: n{node.Index + 1} applied {e.Term}/{e.Index} {cmd}, but {first.Term}/{e.Index} {first.Command} was applied before");
            }

            if (ackedHere && !first.Acked)
            {
                _applied[(int)e.Index - 1] = first with { Acked = true };
            }

            return;
        }

        if (e.Index != (ulong)_applied.Count + 1)
        {
            throw Violation($"n{node.Index + 1} applied {e.Index} but the committed log known so far ends at {_applied.Count}");
        }

        _applied.Add((e.Term, e.Type, cmd, ackedHere));
        if (e.Type == EntryType.Normal)
        {
            if (!_history.TryGetValue(cmd.Key, out var list))
            {
                _history[cmd.Key] = list = [];
            }

            list.Add((e.Index, cmd.Value));
        }
    }

    public void OnAcked() => AckedWrites++;

    /// <summary>A snapshot must hold exactly the state the committed log produces at its index.</summary>
    public void OnSnapshotInstalled(SimNode node, ulong index)
    {
        if (index > (ulong)_applied.Count)
        {
            throw Violation($"n{node.Index + 1} installed a snapshot at {index} beyond the committed log ({_applied.Count})");
        }

        CheckState(node, index, "snapshot");
    }

    public void CheckState(SimNode node, ulong index, string what)
    {
        foreach (var (key, _) in _history)
        {
            var expected = ValueAt(key, index);
            node.Registers.TryGetValue(key, out var actual);
            if (actual != expected)
            {
                throw Violation($"n{node.Index + 1} {what} at {index}: register {key} = {actual}, committed log says {expected}");
            }
        }
    }

    /// <summary>The highest index any node has applied: a read issued now must see at least this.</summary>
    public ulong ReadBound => (ulong)_applied.Count;

    /// <summary>Read-index linearizability (Raft thesis §6.4): the read index covers everything applied before the read began.</summary>
    public static void OnReadState(SimNode node, ReadState rs, ulong bound)
    {
        if (rs.Index < bound)
        {
            throw Violation($"stale read: n{node.Index + 1} got read index {rs.Index} but {bound} was already applied when the read was issued");
        }
    }

    public void OnReadServed(SimNode node, int key, ulong readIndex)
    {
        ServedReads++;
        node.Registers.TryGetValue(key, out var actual);
        var expected = ValueAt(key, node.AppliedIndex);
        if (actual != expected || node.AppliedIndex < readIndex)
        {
            throw Violation($"read of register {key} on n{node.Index + 1} at applied {node.AppliedIndex} (read index {readIndex}) returned {actual}, expected {expected}");
        }
    }

    /// <summary>Election safety and leader completeness, checked after every step.</summary>
    public void AfterStep(IReadOnlyList<SimNode> nodes)
    {
        foreach (var n in nodes)
        {
            if (!n.Up)
            {
                continue;
            }

            var r = n.Raft;
            MaxCommit = Math.Max(MaxCommit, r.Commit);
            if (r.Role != RaftRole.Leader)
            {
                continue;
            }

            if (_leaders.TryGetValue(r.Term, out var known))
            {
                if (known != r.Id)
                {
                    throw Violation($"election safety: n{known} and n{r.Id} are both leaders of term {r.Term}");
                }

                continue;
            }

            _leaders[r.Term] = r.Id;
            CheckLeaderCompleteness(n);
        }
    }

    private void CheckLeaderCompleteness(SimNode n)
    {
        var r = n.Raft;
        if (r.LastIndex < MaxCommit)
        {
            throw Violation($"leader completeness: n{r.Id} leads term {r.Term} with last index {r.LastIndex} < committed {MaxCommit}");
        }

        for (var i = Math.Min(MaxCommit, (ulong)_applied.Count); i >= 1; i--)
        {
            var t = r.TermAt(i);
            if (t == 0)
            {
                break; // compacted: covered by the snapshot, which was checked when installed
            }

            if (t != _applied[(int)i - 1].Term)
            {
                throw Violation($"leader completeness: n{r.Id} leads term {r.Term} with {t}/{i}, but {_applied[(int)i - 1].Term}/{i} is committed");
            }
        }
    }

    private int ValueAt(int key, ulong index)
    {
        if (!_history.TryGetValue(key, out var list))
        {
            return 0;
        }

        var value = 0;
        foreach (var (i, v) in list)
        {
            if (i > index)
            {
                break;
            }

            value = v;
        }

        return value;
    }

    public static SimulationViolationException Violation(string message) => new(message) { Violation = message };
}
