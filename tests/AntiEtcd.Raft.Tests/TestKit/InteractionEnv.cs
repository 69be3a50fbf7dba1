using System.Globalization;
using System.Text;

namespace AntiEtcd.Raft.Tests.TestKit;

/// <summary>
/// A small synchronous cluster for unit tests and scenario scripts (after etcd-io/raft's InteractionEnv):
/// every action is explicit (process a Ready, deliver messages, tick) and is described in <see cref="Output"/>.
/// </summary>
internal sealed partial class InteractionEnv
{
    private readonly SortedDictionary<ulong, TestNode> _nodes = [];
    private readonly HashSet<(ulong From, ulong To)> _cut = [];

    /// <summary>Messages sent and not yet delivered, in send order.</summary>
    public List<Message> InFlight { get; } = [];

    public StringBuilder Output { get; } = new();

    public IReadOnlyDictionary<ulong, TestNode> Nodes => _nodes;

    public TestNode this[ulong id] => _nodes[id];

    public RaftNode Raft(ulong id) => _nodes[id].Raft;

    /// <summary>Creates nodes 1..n, all members of one cluster.</summary>
    public InteractionEnv AddNodes(int n, NodeOptions? options = null, Func<ulong, NodeOptions, NodeOptions>? perNode = null)
    {
        var voters = new NodeId[n];
        for (var i = 0; i < n; i++)
        {
            voters[i] = new NodeId((ulong)i + 1);
        }

        foreach (var v in voters)
        {
            var o = options ?? new NodeOptions();
            if (perNode is not null)
            {
                o = perNode(v.Value, o);
            }

            var storage = new MemoryRaftStorage(voters);
            _nodes[v.Value] = new TestNode(v.Value, storage, voters, o);
        }

        return this;
    }

    /// <summary>Restarts a node from its storage, losing all volatile state (and messages in flight to it).</summary>
    public void Restart(ulong id, NodeOptions? options = null)
    {
        var old = _nodes[id];
        InFlight.RemoveAll(m => m.To.Value == id);
        _nodes[id] = new TestNode(id, old.Storage, old.Voters, options ?? old.Options);
    }

    /// <summary>
    /// Restarts a node that kept nothing, as an in-memory server node does (SPEC §9.5): empty storage, no term,
    /// no vote, <see cref="NodeOptions.InMemory"/> set; messages in flight to it are lost.
    /// </summary>
    public void RestartEmpty(ulong id)
    {
        var old = _nodes[id];
        InFlight.RemoveAll(m => m.To.Value == id);
        _nodes[id] = new TestNode(id, new MemoryRaftStorage(old.Voters), old.Voters, old.Options with { InMemory = true });
    }

    public void Cut(ulong a, ulong b)
    {
        _cut.Add((a, b));
        _cut.Add((b, a));
    }

    public void CutOneWay(ulong from, ulong to) => _cut.Add((from, to));

    public void Isolate(ulong id)
    {
        foreach (var other in _nodes.Keys)
        {
            if (other != id)
            {
                Cut(id, other);
            }
        }
    }

    public void Heal() => _cut.Clear();

    public void Tick(ulong id, int n = 1)
    {
        for (var i = 0; i < n; i++)
        {
            _nodes[id].Raft.Tick();
        }
    }

    /// <summary>Processes one Ready of <paramref name="id"/>, as a server would: send, persist, send, apply, advance.</summary>
    public bool ProcessReady(ulong id)
    {
        var node = _nodes[id];
        if (!node.Raft.HasReady())
        {
            return false;
        }

        var rd = node.Raft.GetReady();
        Output.Append("> ").Append(id).AppendLine(" handling Ready");
        Describe(rd);
        InFlight.AddRange(rd.Messages);
        node.Persist(rd);
        InFlight.AddRange(rd.MessagesAfterPersist);
        node.Apply(rd);
        node.Raft.Advance(rd);
        return true;
    }

    /// <summary>Delivers every message in flight to <paramref name="to"/> (or to anyone when null).</summary>
    public int DeliverMessages(ulong? to = null)
    {
        var batch = InFlight.Where(m => to is null || m.To.Value == to).ToList();
        if (batch.Count == 0)
        {
            return 0;
        }

        InFlight.RemoveAll(m => to is null || m.To.Value == to);
        foreach (var group in batch.GroupBy(m => m.To.Value).OrderBy(g => g.Key))
        {
            Output.Append("> ").Append(group.Key).AppendLine(" receiving messages");
            foreach (var m in group)
            {
                if (_cut.Contains((m.From.Value, m.To.Value)))
                {
                    Output.Append("  dropped: ").AppendLine(Format(m));
                    continue;
                }

                Output.Append("  ").AppendLine(Format(m));
                _nodes[m.To.Value].Raft.Step(m);
            }
        }

        return batch.Count;
    }

    /// <summary>Drops every message in flight (to <paramref name="to"/>, or all).</summary>
    public void DropMessages(ulong? to = null) => InFlight.RemoveAll(m => to is null || m.To.Value == to);

    /// <summary>Processes Readies and delivers messages until nothing is left to do.</summary>
    public void Stabilize()
    {
        for (var round = 0; round < 10_000; round++)
        {
            var any = false;
            foreach (var id in _nodes.Keys.ToList())
            {
                any |= ProcessReady(id);
            }

            any |= DeliverMessages() > 0;
            if (!any)
            {
                return;
            }
        }

        throw new InvalidOperationException("cluster did not stabilize");
    }

    /// <summary>Makes <paramref name="id"/> leader: campaign, then stabilize.</summary>
    public InteractionEnv Elect(ulong id)
    {
        _nodes[id].Raft.Campaign();
        Stabilize();
        if (_nodes[id].Raft.Role != RaftRole.Leader)
        {
            throw new InvalidOperationException($"{id} did not become leader");
        }

        return this;
    }

    public ProposeResult Propose(ulong id, string data) => _nodes[id].Raft.Propose(Encoding.UTF8.GetBytes(data));

    private void Describe(Ready rd)
    {
        if (rd.SoftState is { } ss)
        {
            Output.Append(CultureInfo.InvariantCulture, $"  Lead:{ss.Leader} State:{ss.Role}").AppendLine();
        }

        if (rd.HardState is { } hs)
        {
            Output.Append(CultureInfo.InvariantCulture, $"  HardState Term:{hs.Term} Vote:{hs.Vote} Commit:{hs.Commit}").AppendLine();
        }

        if (rd.Snapshot is { } snap)
        {
            Output.Append(CultureInfo.InvariantCulture, $"  Snapshot Index:{snap.Index} Term:{snap.Term}").AppendLine();
        }

        Section("Entries", rd.Entries.Select(FormatEntry));
        Section("Messages", rd.Messages.Select(Format));
        Section("MessagesAfterPersist", rd.MessagesAfterPersist.Select(Format));
        Section("CommittedEntries", rd.CommittedEntries.Select(FormatEntry));
        Section("ReadStates", rd.ReadStates.Select(r => $"Index:{r.Index} Context:{Encoding.UTF8.GetString(r.Context.Span)}"));
    }

    private void Section(string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        if (list.Count == 0)
        {
            return;
        }

        Output.Append("  ").Append(title).AppendLine(":");
        foreach (var line in list)
        {
            Output.Append("    ").AppendLine(line);
        }
    }

    public static string FormatEntry(Entry e) =>
        e.Type == EntryType.Empty ? $"{e.Term}/{e.Index} noop" : $"{e.Term}/{e.Index} \"{Encoding.UTF8.GetString(e.Data.Span)}\"";

    public static string Format(Message m)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{m.From}->{m.To} {m.Type} Term:{m.Term}");
        switch (m.Type)
        {
            case MessageType.App:
                sb.Append(CultureInfo.InvariantCulture, $" Log:{m.LogTerm}/{m.Index} Commit:{m.Commit}");
                if (m.Entries.Count > 0)
                {
                    sb.Append(" Entries:[").AppendJoin(", ", m.Entries.Select(FormatEntry)).Append(']');
                }

                break;
            case MessageType.AppResp:
                sb.Append(CultureInfo.InvariantCulture, $" Index:{m.Index}");
                if (m.Reject)
                {
                    sb.Append(CultureInfo.InvariantCulture, $" Rejected (Hint: {m.LogTerm}/{m.RejectHint})");
                }

                break;
            case MessageType.Vote:
            case MessageType.PreVote:
                sb.Append(CultureInfo.InvariantCulture, $" Log:{m.LogTerm}/{m.Index}");
                break;
            case MessageType.VoteResp:
            case MessageType.PreVoteResp:
                sb.Append(m.Reject ? " Rejected" : " Granted");
                break;
            case MessageType.Heartbeat:
                sb.Append(CultureInfo.InvariantCulture, $" Commit:{m.Commit}");
                break;
            case MessageType.Snap:
                sb.Append(CultureInfo.InvariantCulture, $" Snapshot:{m.Snapshot!.Term}/{m.Snapshot.Index}");
                break;
            case MessageType.ReadIndexResp:
                sb.Append(CultureInfo.InvariantCulture, $" Index:{m.Index}");
                break;
            default:
                break;
        }

        if (!m.Context.IsEmpty)
        {
            sb.Append(" Context:").Append(Encoding.UTF8.GetString(m.Context.Span));
        }

        if (m.Priority != 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $" Priority:{m.Priority}");
        }

        if (m.Transfer)
        {
            sb.Append(" Transfer");
        }

        return sb.ToString();
    }
}
