using System.Text;
using AntiEtcd.Server.Cluster;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>The shared suite over <see cref="InMemoryPeerNetwork"/>, plus its cut/heal controls.</summary>
public sealed class InMemoryPeerTransportTests(ITestOutputHelper output) : PeerTransportTestSuite(output)
{
    private readonly InMemoryPeerNetwork _network = new();
    private readonly Dictionary<string, (PeerSetup Setup, InMemoryPeerTransport Transport)> _nodes = [];
    private IReadOnlyList<string> _names = [];

    protected override async Task<IReadOnlyDictionary<string, TestPeer>> StartClusterAsync(IReadOnlyList<PeerSetup> setups)
    {
        _names = [.. setups.Select(s => s.Name)];
        var peers = new Dictionary<string, TestPeer>();
        foreach (var setup in setups.Where(s => s.Running))
        {
            peers[setup.Name] = await StartNodeAsync(setup);
        }

        return peers;
    }

    protected override async Task<TestPeer> RestartAsync(string name)
    {
        var (setup, transport) = _nodes[name];
        await transport.DisposeAsync();
        return await StartNodeAsync(setup);
    }

    protected override async ValueTask StopClusterAsync()
    {
        foreach (var (_, transport) in _nodes.Values)
        {
            await transport.DisposeAsync();
        }
    }

    private async Task<TestPeer> StartNodeAsync(PeerSetup setup)
    {
        var signal = new AsyncSignal();
        var logs = new LogCapture(setup.Name, signal, Output);
        var transport = new InMemoryPeerTransport(
            _network,
            new PeerTransportOptions
            {
                NodeName = setup.Name,
                Cluster = (setup.Members ?? _names).ToDictionary(n => n, n => $"http://{n}.test:2379"),
                ClusterKey = Encoding.UTF8.GetBytes(setup.Key),
                Settings = setup.Settings,
                LogCluster = true,
            },
            logs);
        var peer = new TestPeer(setup.Name, transport, logs, signal);
        _nodes[setup.Name] = (setup, transport);
        await transport.StartAsync(Token);
        return peer;
    }

    [Fact]
    public async Task ACutLinkDropsAndAHealedOneDelivers()
    {
        var nodes = await StartAsync("a", "b");
        var (a, b) = (nodes["a"], nodes["b"]);
        _network.Cut(a.Id, b.Id);
        await a.WaitForEventAsync("b", PeerDirection.Outgoing, PeerConnectionState.Disconnected, Token);
        a.Transport.Send(b.Id, [Heartbeat(a.Id, b.Id, 1)]);
        Assert.Equal(1, a.Transport.GetCounters(b.Id).MessagesDropped);
        Assert.Equal(0, b.Transport.Received.Count);

        var before = a.LastConnectionId("b", PeerDirection.Outgoing);
        _network.Heal(a.Id, b.Id);
        await a.WaitForEventAsync("b", PeerDirection.Outgoing, PeerConnectionState.Authenticated, Token, afterConnection: before);
        a.Transport.Send(b.Id, [Heartbeat(a.Id, b.Id, 2)]);
        Assert.Equal(2UL, (await b.ReceiveAsync(Token)).Message.Term);
    }
}
