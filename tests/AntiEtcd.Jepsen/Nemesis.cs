using System.Text;

namespace AntiEtcd.Jepsen;

/// <summary>
/// Injects faults on a seeded schedule: a quiet period of 1–3 s, a fault held for 1–4 s, its heal,
/// again, until stopped; then <see cref="HealAllAsync"/> resumes, restarts and reconnects everything.
/// </summary>
/// <remarks>
/// One fault at a time, so a majority always survives a kill or pause (an in-memory cluster keeps its
/// data while one holder stays up, SPEC §9.5). Every action is logged to the <see cref="NemesisLog"/>
/// and into each node's log. The schedule is reproducible from the seed; the cluster's reactions are not.
/// </remarks>
public sealed class Nemesis
{
    // Per chunk, each way: from a LAN's few milliseconds to past the heartbeat interval, and at the
    // top a round trip near the election timeout.
    private static readonly int[] SlowDelaysMs = [5, 30, 100, 250, 400];

    private readonly JepsenCluster _cluster;
    private readonly NemesisKind _kind;
    private readonly Random _random;
    private readonly NemesisLog _log;

    /// <summary>Creates the nemesis.</summary>
    public Nemesis(JepsenCluster cluster, NemesisKind kind, int seed, NemesisLog log)
    {
        _cluster = cluster;
        _kind = kind;
        _random = new Random(seed);
        _log = log;
    }

    /// <summary>Faults injected so far.</summary>
    public int Faults { get; private set; }

    /// <summary>Runs the schedule until <paramref name="stop"/>; the current fault is healed before returning.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        if (_kind == NemesisKind.None)
        {
            return;
        }

        while (!stop.IsCancellationRequested)
        {
            if (!await PauseForAsync(TimeSpan.FromMilliseconds(_random.Next(1000, 3000)), stop))
            {
                return;
            }

            var kind = _kind == NemesisKind.Mixed ? (NemesisKind)(1 + _random.Next((int)NemesisKind.Mixed - 1)) : _kind;
            Faults++;
            switch (kind)
            {
                case NemesisKind.Kill:
                    await KillAndRestartAsync(stop);
                    break;
                case NemesisKind.Pause:
                    await PauseAndResumeAsync(stop);
                    break;
                case NemesisKind.Slow:
                    await SlowAndHealAsync(stop);
                    break;
                default:
                    await PartitionAndHealAsync((PartitionKind)_random.Next(4), stop);
                    break;
            }
        }
    }

    /// <summary>
    /// Heals the network, resumes every paused node, restarts every stopped one, then waits until all
    /// agree on a leader and every node has applied what the leader had: the final reads see a settled cluster.
    /// </summary>
    public async Task HealAllAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _cluster.HealNetwork();
        foreach (var node in _cluster.Nodes)
        {
            if (node.IsPaused)
            {
                node.Resume();
            }

            if (!node.IsRunning)
            {
                node.Start();
            }
        }

        Note("heal all: network healed, every node running");
        var leader = await _cluster.WaitForLeaderAsync(timeout, cancellationToken);
        await _cluster.WaitForSettledAsync(timeout, cancellationToken);
        Note($"settled: leader {leader.NodeId} term {leader.Term}, every node caught up");
    }

    private async Task KillAndRestartAsync(CancellationToken stop)
    {
        int node = await PickNodeAsync(stop);
        Note($"kill -9 {NodeName(node)}");
        await _cluster.KillAsync(node, CancellationToken.None);
        await PauseForAsync(TimeSpan.FromMilliseconds(_random.Next(1000, 4000)), stop);
        _cluster.Restart(node);
        Note($"restart {NodeName(node)}");
    }

    private async Task PauseAndResumeAsync(CancellationToken stop)
    {
        int node = await PickNodeAsync(stop);
        if (!_cluster.Pause(node))
        {
            // It died by itself; the runner reports that, and the heal at the end restarts it.
            Note($"SIGSTOP {NodeName(node)} skipped: its process has exited by itself");
            return;
        }

        Note($"SIGSTOP {NodeName(node)}");
        await PauseForAsync(TimeSpan.FromMilliseconds(_random.Next(1000, 3000)), stop);
        _cluster.Resume(node);
        Note($"SIGCONT {NodeName(node)}");
    }

    private async Task PartitionAndHealAsync(PartitionKind kind, CancellationToken stop)
    {
        int n = _cluster.Nodes.Count;
        if (n < 2)
        {
            Note($"partition {kind} skipped: one node has no links");
            return;
        }

        var blocked = new List<(int From, int To)>();
        string shape;
        switch (kind)
        {
            case PartitionKind.MajorityMinority:
            {
                var order = Shuffled(n);
                var minority = order[..(n / 2)];
                var majority = order[(n / 2)..];
                BlockBetween(minority, majority, blocked);
                shape = $"minority [{Names(minority)}] | majority [{Names(majority)}]";
                break;
            }

            case PartitionKind.IsolatedLeader:
            {
                int leader = await CurrentLeaderOrRandomAsync(stop);
                var others = new List<int>();
                for (int i = 0; i < n; i++)
                {
                    if (i != leader)
                    {
                        others.Add(i);
                    }
                }

                BlockBetween([leader], [.. others], blocked);
                shape = $"leader {NodeName(leader)} isolated";
                break;
            }

            case PartitionKind.Bridge when n >= 3:
            {
                var order = Shuffled(n);
                int bridge = order[0];
                int half = (n - 1) / 2;
                var left = order[1..(1 + half)];
                var right = order[(1 + half)..];
                BlockBetween(left, right, blocked);
                shape = $"[{Names(left)}] <- {NodeName(bridge)} -> [{Names(right)}]";
                break;
            }

            default:
            {
                int from = _random.Next(2) == 0 ? await CurrentLeaderOrRandomAsync(stop) : _random.Next(n);
                int to = (from + 1 + _random.Next(n - 1)) % n;
                blocked.Add((from, to));
                kind = PartitionKind.OneWay;
                shape = $"{NodeName(from)} cannot reach {NodeName(to)} ({NodeName(to)} still reaches {NodeName(from)})";
                break;
            }
        }

        _cluster.SetBlockedLinks(blocked);
        Note($"partition {kind}: {shape}");
        await PauseForAsync(TimeSpan.FromMilliseconds(_random.Next(1000, 4000)), stop);
        _cluster.HealNetwork();
        Note("partition healed");
    }

    private async Task SlowAndHealAsync(CancellationToken stop)
    {
        if (_cluster.Nodes.Count < 2)
        {
            Note("slow links skipped: one node has no links");
            return;
        }

        var delay = TimeSpan.FromMilliseconds(SlowDelaysMs[_random.Next(SlowDelaysMs.Length)]);
        int? node = _random.Next(2) == 0 ? await PickNodeAsync(stop) : null;
        _cluster.SetLinkDelay(node, delay);
        Note($"slow links: {(node is { } i ? "every link of " + NodeName(i) : "every link")} delays each chunk {delay.TotalMilliseconds:0} ms");
        await PauseForAsync(TimeSpan.FromMilliseconds(_random.Next(1000, 4000)), stop);
        _cluster.HealNetwork();
        Note("slow links healed");
    }

    private static void BlockBetween(int[] a, int[] b, List<(int From, int To)> blocked)
    {
        foreach (int x in a)
        {
            foreach (int y in b)
            {
                blocked.Add((x, y));
                blocked.Add((y, x));
            }
        }
    }

    private async Task<int> PickNodeAsync(CancellationToken stop) =>
        _random.Next(3) == 0 ? await CurrentLeaderOrRandomAsync(stop) : _random.Next(_cluster.Nodes.Count);

    private async Task<int> CurrentLeaderOrRandomAsync(CancellationToken stop)
    {
        int fallback = _random.Next(_cluster.Nodes.Count);
        try
        {
            var leader = await _cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(2), stop);
            return leader.Index;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return fallback;
        }
    }

    private int[] Shuffled(int n)
    {
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        _random.Shuffle(order);
        return order;
    }

    // The schedule's own pacing (not a wait for state): returns false when stopped early.
    private static async Task<bool> PauseForAsync(TimeSpan time, CancellationToken stop)
    {
        try
        {
            await Task.Delay(time, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Note(string text)
    {
        _log.Write(text);
        _cluster.NoteAll("nemesis: " + text);
    }

    private static string NodeName(int index) => JepsenCluster.NodeName(index);

    private static string Names(int[] nodes)
    {
        var text = new StringBuilder();
        foreach (int node in nodes)
        {
            text.Append(text.Length == 0 ? "" : " ").Append(NodeName(node));
        }

        return text.ToString();
    }
}
