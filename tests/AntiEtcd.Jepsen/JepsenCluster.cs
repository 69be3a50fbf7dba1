using System.Globalization;
using System.Reflection;
using System.Text;
using AntiEtcd.Client;

namespace AntiEtcd.Jepsen;

/// <summary>
/// N real <c>antietcd</c> processes on loopback, each peer link (A dials B) through its own
/// <see cref="FaultProxy"/>, with kill -9 / restart, SIGSTOP / SIGCONT and graceful stop by node.
/// </summary>
/// <remarks>
/// <para>
/// Each node gets its own <c>--cluster</c> list: its own entry is its real address, every other
/// entry is the proxy of the link from it to that node. Cluster identity uses node ids only, so the
/// lists may differ. Clients talk to <see cref="JepsenNode.ClientUrl"/> directly.
/// </para>
/// <para>Thread-safety: fault methods are called by one nemesis at a time; status polling is safe at any time.</para>
/// </remarks>
public sealed class JepsenCluster : IAsyncDisposable
{
    private readonly JepsenNode[] _nodes;
    private readonly FaultProxy?[,] _links;
    private readonly List<FaultProxy> _proxies;
    private readonly AntiEtcdClient _statusClient;

    private JepsenCluster(JepsenClusterOptions options, JepsenNode[] nodes, FaultProxy?[,] links, List<FaultProxy> proxies)
    {
        Options = options;
        _nodes = nodes;
        _links = links;
        _proxies = proxies;
        var endpoints = new Uri[nodes.Length];
        for (int i = 0; i < nodes.Length; i++)
        {
            endpoints[i] = nodes[i].ClientUrl;
        }

        _statusClient = new AntiEtcdClient(new AntiEtcdClientOptions { Endpoints = endpoints, Timeout = TimeSpan.FromSeconds(1) });
    }

    /// <summary>The options the cluster was started with.</summary>
    public JepsenClusterOptions Options { get; }

    /// <summary>The nodes, in order n1, n2, …</summary>
    public IReadOnlyList<JepsenNode> Nodes => _nodes;

    /// <summary>Every link proxy (N × (N − 1) of them).</summary>
    public IReadOnlyList<FaultProxy> Proxies => _proxies;

    /// <summary>Every node's client URL, in node order.</summary>
    public IReadOnlyList<Uri> ClientUrls
    {
        get
        {
            var urls = new Uri[_nodes.Length];
            for (int i = 0; i < urls.Length; i++)
            {
                urls[i] = _nodes[i].ClientUrl;
            }

            return urls;
        }
    }

    /// <summary>
    /// The executable to start: <c>ANTIETCD_JEPSEN_SERVER</c> if set, else the apphost
    /// <c>src/antietcd/bin/&lt;Configuration&gt;/net10.0/antietcd</c> of this assembly's configuration,
    /// else of the other configuration.
    /// </summary>
    public static string FindExecutable()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("ANTIETCD_JEPSEN_SERVER");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AntiEtcd.slnx")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new FileNotFoundException("cannot find the repository root (AntiEtcd.slnx) above " + AppContext.BaseDirectory);
        }

        var configuration = typeof(JepsenCluster).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string[] candidates = [configuration, configuration == "Release" ? "Debug" : "Release"];
        foreach (var candidate in candidates)
        {
            var path = Path.Combine(dir.FullName, "src", "antietcd", "bin", candidate, "net10.0", "antietcd");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"build src/antietcd first (no antietcd under src/antietcd/bin/{configuration}/net10.0)");
    }

    /// <summary>Starts the proxies and the nodes and waits until a leader is known.</summary>
    /// <param name="options">What to start.</param>
    /// <param name="cancellationToken">Stops waiting (the processes are killed).</param>
    /// <exception cref="TimeoutException">No leader within <see cref="JepsenClusterOptions.StartTimeout"/>.</exception>
    public static async Task<JepsenCluster> StartAsync(JepsenClusterOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Nodes is < 1 or > 7)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Nodes must be 1 to 7");
        }

        Directory.CreateDirectory(options.Directory);
        var executable = options.Executable ?? FindExecutable();
        int n = options.Nodes;
        var links = new FaultProxy?[n, n];
        var proxies = new List<FaultProxy>();
        int[] ports;

        // The proxies bind while the nodes' ports are still held, so none of them can get a node's port.
        using (var reservation = FreePorts.Reserve(n))
        {
            ports = [.. reservation.Ports];
            for (int from = 0; from < n; from++)
            {
                for (int to = 0; to < n; to++)
                {
                    if (from != to)
                    {
                        var proxy = new FaultProxy(NodeName(from), NodeName(to), ports[to]);
                        proxy.Start();
                        links[from, to] = proxy;
                        proxies.Add(proxy);
                    }
                }
            }
        }

        var nodes = new JepsenNode[n];
        for (int i = 0; i < n; i++)
        {
            var list = new StringBuilder();
            for (int j = 0; j < n; j++)
            {
                int port = i == j ? ports[j] : links[i, j]!.ListenPort;
                list.Append(list.Length == 0 ? "" : ",").Append(NodeName(j)).Append("=http://127.0.0.1:").Append(port.ToString(CultureInfo.InvariantCulture));
            }

            var arguments = new List<string>
            {
                "--node_id", NodeName(i),
                "--cluster", list.ToString(),
                "--cluster_key", options.ClusterKey,
                "--ip", "127.0.0.1",
                "--port", ports[i].ToString(CultureInfo.InvariantCulture),
                "--logs", "cluster",
            };
            string? data = null;
            if (options.Durable)
            {
                data = Path.Combine(options.Directory, "data-" + NodeName(i));
                Directory.CreateDirectory(data);
                arguments.Add("--data");
                arguments.Add(data);
            }

            arguments.AddRange(options.ExtraArguments);
            nodes[i] = new JepsenNode(i, NodeName(i), ports[i], executable, arguments, data, Path.Combine(options.Directory, NodeName(i) + ".log"));
        }

        var cluster = new JepsenCluster(options, nodes, links, proxies);
        try
        {
            foreach (var node in nodes)
            {
                node.Start();
            }

            await cluster.WaitForLeaderAsync(options.StartTimeout, cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The node id of position <paramref name="index"/>: n1, n2, …</summary>
    public static string NodeName(int index) => "n" + (index + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>The proxy that carries connections <paramref name="from"/> opens to <paramref name="to"/>.</summary>
    public FaultProxy Link(int from, int to) =>
        _links[from, to] ?? throw new ArgumentException("a node has no link to itself", nameof(to));

    /// <summary>Drops exactly the given directed links and passes every other one.</summary>
    /// <param name="blocked">(from, to) pairs: connections from dials to to fail.</param>
    public void SetBlockedLinks(IReadOnlyCollection<(int From, int To)> blocked)
    {
        ArgumentNullException.ThrowIfNull(blocked);
        ForEachLink((from, to, link) =>
        {
            bool drop = false;
            foreach (var (f, t) in blocked)
            {
                drop |= f == from && t == to;
            }

            if (link.Mode != (drop ? ProxyMode.Drop : ProxyMode.Pass))
            {
                link.SetMode(drop ? ProxyMode.Drop : ProxyMode.Pass);
            }
        });
    }

    /// <summary>
    /// Delays each chunk carried by the links to and from <paramref name="node"/> (both directions), or
    /// by every link when it is null; <see cref="HealNetwork"/> takes the delay away.
    /// </summary>
    public void SetLinkDelay(int? node, TimeSpan delay) =>
        ForEachLink((from, to, link) =>
        {
            if (node is null || node == from || node == to)
            {
                link.Delay = delay;
            }
        });

    /// <summary>Passes every link and removes every added delay.</summary>
    public void HealNetwork()
    {
        foreach (var proxy in _proxies)
        {
            proxy.Delay = TimeSpan.Zero;
            if (proxy.Mode != ProxyMode.Pass)
            {
                proxy.SetMode(ProxyMode.Pass);
            }
        }
    }

    /// <summary>
    /// Waits until every running, unpaused node (or each of <paramref name="among"/>) answers status
    /// with the same known leader and term, and the leader itself says it leads. Polls every 100 ms.
    /// </summary>
    /// <param name="timeout">The deadline.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="among">Only these node positions; null means every running, unpaused node.</param>
    /// <exception cref="TimeoutException">No agreement by the deadline; the message says what each node answered.</exception>
    public async Task<LeaderInfo> WaitForLeaderAsync(TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyList<int>? among = null)
    {
        long deadline = MonotonicClock.NowNanos() + (long)timeout.TotalMilliseconds * 1_000_000;
        var last = new StringBuilder();
        while (true)
        {
            last.Clear();
            var leader = await TryAgreeOnLeaderAsync(among, last, cancellationToken);
            if (leader is not null)
            {
                return leader;
            }

            if (MonotonicClock.NowNanos() > deadline)
            {
                throw new TimeoutException($"no leader agreed within {timeout.TotalSeconds:0.#} s: {last}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until every running, unpaused node has applied at least the leader's last log index as
    /// first seen here (so final reads on any node see the same committed state). Polls every 100 ms.
    /// </summary>
    /// <exception cref="TimeoutException">Some node did not catch up by the deadline.</exception>
    public async Task WaitForSettledAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        long deadline = MonotonicClock.NowNanos() + (long)timeout.TotalMilliseconds * 1_000_000;
        var leader = await WaitForLeaderAsync(timeout, cancellationToken);
        var leaderStatus = await _statusClient.StatusAsync(_nodes[leader.Index].ClientUrl, cancellationToken);
        ulong target = leaderStatus.RaftIndex;
        var behind = new StringBuilder();
        while (true)
        {
            behind.Clear();
            foreach (var node in _nodes)
            {
                if (!node.IsRunning || node.IsPaused)
                {
                    continue;
                }

                try
                {
                    var status = await _statusClient.StatusAsync(node.ClientUrl, cancellationToken);
                    if (status.RaftAppliedIndex < target)
                    {
                        behind.Append(node.NodeId).Append(" applied ").Append(status.RaftAppliedIndex).Append("; ");
                    }
                }
                catch (AntiEtcdClientException ex)
                {
                    behind.Append(node.NodeId).Append(": ").Append(ex.ErrorMessage).Append("; ");
                }
            }

            if (behind.Length == 0)
            {
                return;
            }

            if (MonotonicClock.NowNanos() > deadline)
            {
                throw new TimeoutException($"not settled within {timeout.TotalSeconds:0.#} s (leader index {target}): {behind}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>SIGKILL one node and wait until it is gone.</summary>
    public Task KillAsync(int index, CancellationToken cancellationToken) => _nodes[index].KillAsync(cancellationToken);

    /// <summary>Start a stopped or killed node again: same id, port, peer list and data directory.</summary>
    public void Restart(int index) => _nodes[index].Start();

    /// <summary>SIGSTOP one node; false when its process has exited by itself (nothing to pause).</summary>
    public bool Pause(int index) => _nodes[index].Pause();

    /// <summary>SIGCONT one node.</summary>
    public void Resume(int index) => _nodes[index].Resume();

    /// <summary>SIGTERM one node and wait for its exit (killed after <paramref name="timeout"/>).</summary>
    public Task<int> StopNodeAsync(int index, TimeSpan timeout, CancellationToken cancellationToken) => _nodes[index].StopAsync(timeout, cancellationToken);

    /// <summary>Writes <paramref name="text"/> into every node's log (so node logs show the nemesis).</summary>
    public void NoteAll(string text)
    {
        foreach (var node in _nodes)
        {
            node.Note(text);
        }
    }

    /// <summary>Deletes the data directories (after a passing run); the nodes must be stopped.</summary>
    public void DeleteData()
    {
        foreach (var node in _nodes)
        {
            if (node.DataDirectory is { } data && Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    /// <summary>Resumes paused nodes, stops every node gracefully (kill after 5 s) and closes the proxies.</summary>
    public async ValueTask DisposeAsync()
    {
        var stops = new List<Task>();
        foreach (var node in _nodes)
        {
            stops.Add(StopQuietlyAsync(node));
        }

        await Task.WhenAll(stops);
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        _statusClient.Dispose();
    }

    // Every directed link (from, to) between two different nodes, with its proxy.
    private void ForEachLink(Action<int, int, FaultProxy> action)
    {
        int n = _nodes.Length;
        for (int from = 0; from < n; from++)
        {
            for (int to = 0; to < n; to++)
            {
                if (from != to)
                {
                    action(from, to, _links[from, to]!);
                }
            }
        }
    }

    private static async Task StopQuietlyAsync(JepsenNode node)
    {
        try
        {
            await node.StopAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the signal.
        }
    }

    private async Task<LeaderInfo?> TryAgreeOnLeaderAsync(IReadOnlyList<int>? among, StringBuilder report, CancellationToken cancellationToken)
    {
        string? leaderId = null;
        ulong term = 0;
        bool agreed = true;
        bool leaderConfirmed = false;
        int asked = 0;
        for (int i = 0; i < _nodes.Length; i++)
        {
            var node = _nodes[i];
            bool wanted = among is null ? node.IsRunning && !node.IsPaused : Contains(among, i);
            if (!wanted)
            {
                continue;
            }

            asked++;
            try
            {
                var status = await _statusClient.StatusAsync(node.ClientUrl, cancellationToken);
                report.Append(node.NodeId).Append(": ").Append(status.RaftState).Append(" leader=").Append(status.LeaderNodeId).Append(" term=").Append(status.RaftTerm).Append("; ");
                if (string.IsNullOrEmpty(status.LeaderNodeId) || status.Leader == 0)
                {
                    agreed = false;
                    continue;
                }

                if (leaderId is null)
                {
                    leaderId = status.LeaderNodeId;
                    term = status.RaftTerm;
                }
                else if (leaderId != status.LeaderNodeId || term != status.RaftTerm)
                {
                    agreed = false;
                }

                leaderConfirmed |= status.NodeId == status.LeaderNodeId && status.RaftState == "leader";
            }
            catch (AntiEtcdClientException ex)
            {
                report.Append(node.NodeId).Append(": ").Append(ex.ErrorMessage).Append("; ");
                agreed = false;
            }
        }

        if (!agreed || asked == 0 || leaderId is null || !leaderConfirmed)
        {
            return null;
        }

        for (int i = 0; i < _nodes.Length; i++)
        {
            if (_nodes[i].NodeId == leaderId)
            {
                return new LeaderInfo(i, leaderId, term);
            }
        }

        return null;
    }

    private static bool Contains(IReadOnlyList<int> list, int value)
    {
        foreach (var item in list)
        {
            if (item == value)
            {
                return true;
            }
        }

        return false;
    }
}
