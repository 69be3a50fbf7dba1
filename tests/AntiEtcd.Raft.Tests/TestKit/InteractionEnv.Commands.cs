using System.Globalization;
using System.Text;

namespace AntiEtcd.Raft.Tests.TestKit;

/// <summary>The text commands of scenario scripts (testdata/*.txt); each returns what it printed.</summary>
internal sealed partial class InteractionEnv
{
    /// <summary>Runs one script command line and returns its transcript.</summary>
    public string Handle(string line)
    {
        Output.Clear();
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var args = parts.Skip(1).Where(p => !p.Contains('=', StringComparison.Ordinal)).ToArray();
        var kv = parts.Skip(1).Where(p => p.Contains('=', StringComparison.Ordinal))
            .ToDictionary(p => p[..p.IndexOf('=', StringComparison.Ordinal)], p => p[(p.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        ulong Id(int i) => ulong.Parse(args[i], CultureInfo.InvariantCulture);
        switch (parts[0])
        {
            case "add-nodes":
                AddNodes(int.Parse(args[0], CultureInfo.InvariantCulture), ParseOptions(kv), PerNodePriority(kv));
                foreach (var (id, n) in _nodes)
                {
                    Output.AppendLine(CultureInfo.InvariantCulture, $"{id}: {n.Raft.Role} Term:{n.Raft.Term} Lead:{n.Raft.Leader}");
                }

                break;
            case "campaign":
                Raft(Id(0)).Campaign();
                break;
            case "propose":
                var result = Propose(Id(0), args[1]);
                Output.AppendLine(CultureInfo.InvariantCulture, $"{result.Status} {result.Term}/{result.Index}");
                break;
            case "read-index":
                Output.AppendLine(Raft(Id(0)).ReadIndex(Encoding.UTF8.GetBytes(args[1])).ToString());
                break;
            case "transfer-leadership":
                Output.AppendLine(Raft(Id(0)).TransferLeadership(new NodeId(Id(1))) ? "started" : "refused");
                break;
            case "tick":
                Tick(Id(0), args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1);
                break;
            case "tick-election":
                Tick(Id(0), _nodes[Id(0)].Options.ElectionTicks);
                break;
            case "tick-heartbeat":
                Tick(Id(0), _nodes[Id(0)].Options.HeartbeatTicks);
                break;
            case "process-ready":
                foreach (var i in Enumerable.Range(0, args.Length))
                {
                    ProcessReady(Id(i));
                }

                break;
            case "deliver-msgs":
                if (args.Length == 0)
                {
                    DeliverMessages();
                }

                foreach (var i in Enumerable.Range(0, args.Length))
                {
                    DeliverMessages(Id(i));
                }

                break;
            case "drop-msgs":
                DropMessages(args.Length > 0 ? Id(0) : null);
                break;
            case "stabilize":
                Stabilize();
                break;
            case "isolate":
                Isolate(Id(0));
                break;
            case "cut":
                Cut(Id(0), Id(1));
                break;
            case "cut-oneway":
                CutOneWay(Id(0), Id(1));
                break;
            case "heal":
                Heal();
                break;
            case "restart":
                Restart(Id(0));
                break;
            case "compact":
                var node = _nodes[Id(0)];
                var index = ulong.Parse(args[1], CultureInfo.InvariantCulture);
                node.Storage.CreateSnapshot(index, Encoding.UTF8.GetBytes($"state@{index}"));
                node.Storage.Compact(index);
                break;
            case "status":
                PrintStatus(Id(0));
                break;
            case "raft-log":
                var s = _nodes[Id(0)].Storage;
                if (s.FirstIndex > 1)
                {
                    Output.AppendLine(CultureInfo.InvariantCulture, $"snapshot {s.Term(s.FirstIndex - 1)}/{s.FirstIndex - 1}");
                }

                if (s.LastIndex >= s.FirstIndex)
                {
                    foreach (var e in s.Entries(s.FirstIndex, s.LastIndex + 1, ulong.MaxValue))
                    {
                        Output.AppendLine(FormatEntry(e));
                    }
                }
                else
                {
                    Output.AppendLine("log is empty");
                }

                break;
            default:
                throw new ArgumentException($"unknown command {parts[0]}");
        }

        return Output.Length == 0 ? "ok" : Output.ToString().TrimEnd('\n');
    }

    private void PrintStatus(ulong id)
    {
        var r = Raft(id);
        Output.AppendLine(CultureInfo.InvariantCulture, $"{id}: {r.Role} Term:{r.Term} Vote:{r.Vote} Lead:{r.Leader} Commit:{r.Commit} Applied:{r.Applied} Last:{r.LastIndex}");
        if (r.Role == RaftRole.Leader)
        {
            foreach (var v in r.Voters)
            {
                Output.AppendLine(CultureInfo.InvariantCulture, $"  {v}: {r.GetProgress(v)}");
            }
        }
    }

    private static NodeOptions ParseOptions(Dictionary<string, string> kv)
    {
        var o = new NodeOptions();
        foreach (var (k, v) in kv)
        {
            o = k switch
            {
                "prevote" => o with { PreVote = bool.Parse(v) },
                "checkquorum" => o with { CheckQuorum = bool.Parse(v) },
                "election" => o with { ElectionTicks = int.Parse(v, CultureInfo.InvariantCulture) },
                "heartbeat" => o with { HeartbeatTicks = int.Parse(v, CultureInfo.InvariantCulture) },
                "inflight" => o with { MaxInflight = int.Parse(v, CultureInfo.InvariantCulture) },
                "maxsize" => o with { MaxSizePerMessage = ulong.Parse(v, CultureInfo.InvariantCulture) },
                "priority" => o,
                _ => throw new ArgumentException($"unknown option {k}"),
            };
        }

        return o;
    }

    private static Func<ulong, NodeOptions, NodeOptions>? PerNodePriority(Dictionary<string, string> kv)
    {
        if (!kv.TryGetValue("priority", out var list))
        {
            return null;
        }

        var priorities = list.Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return (id, o) => o with { Priority = priorities[id - 1] };
    }
}
