using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>
/// An in-process cluster of <see cref="AntiEtcdServer"/> nodes on loopback. Optionally every directed peer link goes
/// through a <see cref="LinkProxy"/>, so a test can partition a node; clients always reach nodes directly.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public const string Key = "cluster-tests-key-0123456789";

    private readonly Action<int, AntiEtcdOptions>? _configure;
    private readonly Func<int, TimeProvider>? _clock;
    private readonly string? _dataRoot;
    private readonly LinkProxy?[,] _links;

    private TestCluster(int size, bool data, bool proxies, Action<int, AntiEtcdOptions>? configure, Func<int, TimeProvider>? clock)
    {
        Size = size;
        _configure = configure;
        _clock = clock;
        Names = Enumerable.Range(1, size).Select(i => "n" + i).ToArray();
        Ports = FreePorts(size);
        Servers = new AntiEtcdServer?[size];
        Http = Ports.Select(p => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{p}"), Timeout = TimeSpan.FromSeconds(30) }).ToArray();
        Events = Enumerable.Range(0, size).Select(_ => new ConcurrentQueue<RaftStateInfo>()).ToArray();
        _links = new LinkProxy?[size, size];
        if (proxies)
        {
            for (var from = 0; from < size; from++)
            {
                for (var to = 0; to < size; to++)
                {
                    if (from != to)
                    {
                        _links[from, to] = new LinkProxy(Ports[to]);
                    }
                }
            }
        }

        if (data)
        {
            _dataRoot = Path.Combine(Path.GetTempPath(), "antietcd-cluster-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_dataRoot);
        }
    }

    public int Size { get; }

    public string[] Names { get; }

    public int[] Ports { get; }

    /// <summary>The running node at each index; null while stopped.</summary>
    public AntiEtcdServer?[] Servers { get; }

    public HttpClient[] Http { get; }

    /// <summary>Every <see cref="AntiEtcdServer.RaftStateChanged"/> event each node raised, in order.</summary>
    public ConcurrentQueue<RaftStateInfo>[] Events { get; }

    public IEnumerable<int> Running => Enumerable.Range(0, Size).Where(i => Servers[i] is not null);

    /// <summary>Creates and starts every node; <paramref name="clock"/> gives a node its clock (the system clock by default).</summary>
    public static async Task<TestCluster> StartAsync(int size, bool data = false, bool proxies = false, Action<int, AntiEtcdOptions>? configure = null, Func<int, TimeProvider>? clock = null)
    {
        var cluster = new TestCluster(size, data, proxies, configure, clock);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, size).Select(cluster.StartNodeAsync));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>
    /// Three nodes with proxies whose request deadline (replication_timeout 400 ms) passes long before any election
    /// timeout (2500 ms): a leader whose links are held silent still leads when its requests time out. The first
    /// election takes a few of those timeouts: wait for the leader with a long deadline.
    /// </summary>
    public static Task<TestCluster> StartWithDeadlineBeforeElectionAsync() =>
        StartAsync(3, proxies: true, configure: static (_, o) =>
        {
            o.ElectionTimeout = 2500;
            o.HeartbeatTimeout = 100;
            o.ReplicationTimeout = 400;
        });

    /// <summary>Creates the cluster without starting any node.</summary>
    public static TestCluster Create(int size, bool data = false, bool proxies = false, Action<int, AntiEtcdOptions>? configure = null, Func<int, TimeProvider>? clock = null) =>
        new(size, data, proxies, configure, clock);

    /// <summary>The options of node <paramref name="index"/>: short timeouts, its own view of the peer URLs.</summary>
    public AntiEtcdOptions OptionsFor(int index)
    {
        var cluster = new Dictionary<string, string>();
        for (var j = 0; j < Size; j++)
        {
            var port = j == index || _links[index, j] is null ? Ports[j] : _links[index, j]!.Port;
            cluster[Names[j]] = $"http://127.0.0.1:{port}";
        }

        var options = new AntiEtcdOptions
        {
            NodeId = Names[index],
            Cluster = cluster,
            ClusterKey = Key,
            Port = Ports[index],
            HeartbeatTimeout = 50,
            ElectionTimeout = 300,
            ReconnectInterval = 100,

            // A graceful stop waits this long for the peer connections to drain (see StopTests): keep it short.
            ReplicationTimeout = 2000,
            Data = _dataRoot is null ? null : Path.Combine(_dataRoot, Names[index]),
        };
        _configure?.Invoke(index, options);
        return options;
    }

    public async Task StartNodeAsync(int index)
    {
        Assert.Null(Servers[index]);
        var server = new AntiEtcdServer(OptionsFor(index), time: _clock?.Invoke(index));
        server.RaftStateChanged += (_, e) => Events[index].Enqueue(e.State);
        await server.StartAsync(TestContext.Current.CancellationToken);
        Servers[index] = server;
    }

    /// <summary>A graceful stop (SPEC §13.3): a leader hands leadership over first.</summary>
    public async Task StopNodeAsync(int index)
    {
        var server = Servers[index];
        Assert.NotNull(server);
        Servers[index] = null;
        await server.StopAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Cuts every peer link into and out of <paramref name="index"/> (needs proxies).</summary>
    public void Isolate(int index) => ForEachLinkOf(index, static link => link.Cut());

    public void Heal(int index) => ForEachLinkOf(index, static link => link.Heal());

    /// <summary>Cuts only the outgoing connection of <paramref name="from"/> to <paramref name="to"/> (needs proxies).</summary>
    public void CutLink(int from, int to) => _links[from, to]!.Cut();

    public void HealLink(int from, int to) => _links[from, to]!.Heal();

    /// <summary>Holds only the outgoing connection of <paramref name="from"/> to <paramref name="to"/> open but silent (needs proxies).</summary>
    public void HoldLink(int from, int to) => _links[from, to]!.Hold();

    /// <summary>Forwards again on the link <see cref="HoldLink"/> held.</summary>
    public void ReleaseLink(int from, int to) => _links[from, to]!.Release();

    /// <summary>Holds every peer link into and out of <paramref name="index"/> open but silent (needs proxies): see <see cref="LinkProxy.Hold"/>.</summary>
    public void Hold(int index) => ForEachLinkOf(index, static link => link.Hold());

    /// <summary>Delivers what <see cref="Hold"/> kept back and forwards again.</summary>
    public void Release(int index) => ForEachLinkOf(index, static link => link.Release());

    private void ForEachLinkOf(int index, Action<LinkProxy> action)
    {
        for (var j = 0; j < Size; j++)
        {
            if (j != index)
            {
                action(_links[index, j]!);
                action(_links[j, index]!);
            }
        }
    }

    public Task<NodeReply> StatusAsync(int index) => PostAsync(index, "/v3/maintenance/status", new JsonObject());

    /// <summary>Waits until one running node (among <paramref name="among"/>, default all) leads and all of them agree on it.</summary>
    public async Task<int> WaitForLeaderAsync(IEnumerable<int>? among = null, TimeSpan? timeout = null, string? except = null)
    {
        var nodes = (among ?? Running).ToArray();
        var leader = -1;
        var last = "";
        await Until.TrueAsync(
            async () =>
            {
                string? agreed = null;
                var sb = new StringBuilder();
                foreach (var i in nodes)
                {
                    var status = await StatusAsync(i);
                    sb.Append(Names[i]).Append(": ").Append(status.Body.ToJsonString()).Append('\n');
                    var name = status.Body["leaderNodeId"]?.GetValue<string>();
                    if (name is null || name == except || (agreed is not null && agreed != name))
                    {
                        last = sb.ToString();
                        return false;
                    }

                    agreed = name;
                }

                leader = Array.IndexOf(Names, agreed);
                if (leader < 0 || !nodes.Contains(leader))
                {
                    last = sb.ToString();
                    return false;
                }

                var own = await StatusAsync(leader);
                last = sb.ToString();
                return own.Body["raftState"]?.GetValue<string>() == "leader";
            },
            timeout ?? TimeSpan.FromSeconds(15),
            () => "no agreed leader; last statuses:\n" + last);
        return leader;
    }

    public async Task<NodeReply> PostAsync(int index, string path, JsonObject body, string? query = null)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await Http[index].PostAsync(path + (query is null ? "" : "?" + query), content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new NodeReply((int)response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static string Text(JsonNode? b64) => b64 is null ? "" : Encoding.UTF8.GetString(Convert.FromBase64String(b64.GetValue<string>()));

    public async Task<NodeReply> PutAsync(int index, string key, string value, long lease = 0, string? query = null)
    {
        var body = new JsonObject { ["key"] = B64(key), ["value"] = B64(value) };
        if (lease != 0)
        {
            body["lease"] = lease;
        }

        return await PostAsync(index, "/v3/kv/put", body, query);
    }

    /// <summary>A successful put; returns its revision.</summary>
    public async Task<long> PutOkAsync(int index, string key, string value, long lease = 0)
    {
        var reply = await PutAsync(index, key, value, lease);
        Assert.True(reply.Status == 200, $"put {key} on {Names[index]}: {reply}");
        return reply.Revision;
    }

    public Task<NodeReply> RangeAsync(int index, string key, string? rangeEnd = null, bool serializable = false, string? query = null)
    {
        var body = new JsonObject { ["key"] = B64(key) };
        if (rangeEnd is not null)
        {
            body["range_end"] = B64(rangeEnd);
        }

        if (serializable)
        {
            body["serializable"] = true;
        }

        return PostAsync(index, "/v3/kv/range", body, query);
    }

    /// <summary>The value of <paramref name="key"/> by a successful read, or null when absent.</summary>
    public async Task<string?> GetAsync(int index, string key, bool serializable = false)
    {
        var reply = await RangeAsync(index, key, serializable: serializable);
        Assert.True(reply.Status == 200, $"range {key} on {Names[index]}: {reply}");
        return reply.Body["kvs"] is JsonArray { Count: > 0 } kvs ? Text(kvs[0]!["value"]) : null;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Enumerable.Range(0, Size).Where(i => Servers[i] is not null).Select(async i =>
        {
            var server = Servers[i]!;
            Servers[i] = null;
            await server.DisposeAsync();
        }));
        foreach (var link in _links)
        {
            if (link is not null)
            {
                await link.DisposeAsync();
            }
        }

        foreach (var http in Http)
        {
            http.Dispose();
        }

        if (_dataRoot is not null)
        {
            try
            {
                Directory.Delete(_dataRoot, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    /// <summary>Ports found by binding port 0; closed again before the nodes bind them.</summary>
    public static int[] FreePorts(int count) => AntiEtcd.Testing.LoopbackPorts.Pick(count);
}
