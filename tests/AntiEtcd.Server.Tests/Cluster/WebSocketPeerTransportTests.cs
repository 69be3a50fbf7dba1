using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using AntiEtcd.Raft;
using AntiEtcd.Server.Cluster;
using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>The shared suite over real WebSockets on loopback, plus the wire-level claims of SPEC §10.3 played by a raw client.</summary>
[Collection(nameof(PeerTransportCollection))]
public sealed class WebSocketPeerTransportTests(ITestOutputHelper output) : PeerTransportTestSuite(output)
{
    private readonly Dictionary<string, Node> _nodes = [];
    private readonly List<TcpListener> _blackHoles = [];
    private IReadOnlyList<string> _names = [];
    private Dictionary<string, string> _urls = [];

    private sealed class Node
    {
        public required PeerSetup Setup { get; init; }

        public required KestrelPeerHost Host { get; set; }

        public WebSocketPeerTransport? Transport { get; set; }
    }

    protected override async Task<IReadOnlyDictionary<string, TestPeer>> StartClusterAsync(IReadOnlyList<PeerSetup> setups)
    {
        _names = [.. setups.Select(s => s.Name)];
        _urls = [];
        foreach (var setup in setups)
        {
            int port;
            if (setup.Running)
            {
                var host = await KestrelPeerHost.StartAsync(0, Token);
                _nodes[setup.Name] = new Node { Setup = setup, Host = host };
                port = host.Port;
            }
            else
            {
                // Accepts TCP connections (the kernel does, from the backlog) and never answers the upgrade.
                var blackHole = new TcpListener(IPAddress.Loopback, 0);
                blackHole.Start();
                _blackHoles.Add(blackHole);
                port = ((IPEndPoint)blackHole.LocalEndpoint).Port;
            }

            _urls[setup.Name] = $"http://127.0.0.1:{port}";
        }

        var peers = new Dictionary<string, TestPeer>();
        foreach (var node in _nodes.Values)
        {
            peers[node.Setup.Name] = await StartTransportAsync(node);
        }

        return peers;
    }

    protected override async Task<TestPeer> RestartAsync(string name)
    {
        var node = _nodes[name];
        await node.Transport!.DisposeAsync();
        var port = node.Host.Port;
        await node.Host.DisposeAsync();
        node.Host = await KestrelPeerHost.StartAsync(port, Token);
        return await StartTransportAsync(node);
    }

    protected override async ValueTask StopClusterAsync()
    {
        foreach (var node in _nodes.Values)
        {
            if (node.Transport is not null)
            {
                await node.Transport.DisposeAsync();
            }

            await node.Host.DisposeAsync();
        }

        foreach (var blackHole in _blackHoles)
        {
            blackHole.Dispose();
        }
    }

    private async Task<TestPeer> StartTransportAsync(Node node)
    {
        var setup = node.Setup;
        var signal = new AsyncSignal();
        var logs = new LogCapture(setup.Name, signal, Output);
        var members = setup.Members ?? _names;
        var transport = new WebSocketPeerTransport(
            new PeerTransportOptions
            {
                NodeName = setup.Name,
                Cluster = members.ToDictionary(n => n, n => _urls[n]),
                ClusterKey = Encoding.UTF8.GetBytes(setup.Key),
                Settings = setup.Settings,
                ReconnectInterval = TimeSpan.FromMilliseconds(50),
                MaxReconnectInterval = TimeSpan.FromMilliseconds(200),
                HandshakeTimeout = setup.HandshakeTimeout,
                MaxFrameBytes = setup.MaxFrameBytes,
                LogCluster = true,
            },
            logs);
        var peer = new TestPeer(setup.Name, transport, logs, signal);
        node.Transport = transport;
        node.Host.Listener = transport.Listener;
        await transport.StartAsync(Token);
        return peer;
    }

    /// <summary>Node a is real; b and c are members that never answer, so a raw client can play them.</summary>
    private async Task<(TestPeer A, int Port)> StartAloneAsync(PeerSetup? a = null)
    {
        var nodes = await StartClusterAsync([a ?? new PeerSetup("a"), new PeerSetup("b") { Running = false }, new PeerSetup("c") { Running = false }]);
        return (nodes["a"], _nodes["a"].Host.Port);
    }

    private static NodeId IdOf(TestPeer peer, string name) => peer.Transport.Peers.Single(p => p.Name == name).Id;

    [Fact]
    public async Task HelloCarriesProtocolNodeClusterChallengeAndSettings()
    {
        var (a, port) = await StartAloneAsync();
        await using var raw = await RawPeerClient.ConnectAsync(port, Token);
        var hello = raw.Hello.GetProperty("hello");
        Assert.Equal(1, hello.GetProperty("protocol").GetInt32());
        Assert.Equal("a", hello.GetProperty("node_id").GetString());
        var membership = new ClusterMembership("a", _urls);
        Assert.Equal(membership.ClusterId.ToString(System.Globalization.CultureInfo.InvariantCulture), hello.GetProperty("cluster_id").GetString());
        Assert.Equal(32, Convert.FromBase64String(raw.Challenge).Length);
        Assert.Equal("""{"persistence":"memory","persist_filter":"","max_request_bytes":2097152}""", hello.GetProperty("settings").GetRawText());
        Assert.DoesNotContain(PeerSetup.DefaultKey, raw.Hello.GetRawText(), StringComparison.Ordinal);
        _ = a;
    }

    [Fact]
    public async Task AuthenticatedMessagesAreAttributedToTheConnectionNotToTheirFromField()
    {
        var (a, port) = await StartAloneAsync();
        await using var raw = await RawPeerClient.ConnectAsync(port, Token);
        await raw.AuthenticateAsync("c", PeerSetup.DefaultKey, Token);
        await a.WaitForEventAsync("c", PeerDirection.Incoming, PeerConnectionState.Authenticated, Token);
        var b = IdOf(a, "b");
        var c = IdOf(a, "c");
        await raw.SendRaftAsync([PeerTransportTestSuite.Heartbeat(b, a.Id, 4)], Token);
        var received = await a.ReceiveAsync(Token);
        Assert.Equal(c, received.From);
        Assert.Equal(c, received.Message.From);
        Assert.Equal(4UL, received.Message.Term);
    }

    [Theory]
    [InlineData("wrong mac")]
    [InlineData("unknown node")]
    [InlineData("self")]
    [InlineData("wrong cluster")]
    [InlineData("wrong protocol")]
    [InlineData("garbage")]
    [InlineData("binary before auth")]
    public async Task EveryFailedCheckClosesWith1008(string failure)
    {
        var (a, port) = await StartAloneAsync();
        await using var raw = await RawPeerClient.ConnectAsync(port, Token);
        switch (failure)
        {
            case "wrong mac":
                await raw.SendAuthAsync("c", "not-the-cluster-key-at-all", Token);
                break;
            case "unknown node":
                await raw.SendAuthAsync("z", PeerSetup.DefaultKey, Token);
                break;
            case "self":
                await raw.SendAuthAsync("a", PeerSetup.DefaultKey, Token);
                break;
            case "wrong cluster":
                await raw.SendAuthAsync("c", PeerSetup.DefaultKey, Token, clusterId: 12345);
                break;
            case "wrong protocol":
                await raw.SendAuthAsync("c", PeerSetup.DefaultKey, Token, protocol: 2);
                break;
            case "garbage":
                await raw.SendTextAsync("{\"watch\":1}", Token);
                break;
            default:
                await raw.SendRaftAsync([PeerTransportTestSuite.Heartbeat(IdOf(a, "c"), a.Id, 1)], Token);
                break;
        }

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await raw.WaitForCloseAsync(Token));
        await a.Signal.WaitUntilAsync(() => a.Transport.HandshakeFailures > 0, "a failure", Token);
        await a.WaitForLogAsync("peer connection from 127.0.0.1:", Token);
        Assert.False(a.HasEvent("c", PeerDirection.Incoming, PeerConnectionState.Authenticated));
        Assert.Equal(0, a.Transport.Received.Count);
    }

    [Fact]
    public async Task WrongSettingsFromAnAuthenticatedPeerAreNamedInTheLog()
    {
        var (a, port) = await StartAloneAsync();
        await using var raw = await RawPeerClient.ConnectAsync(port, Token);
        await raw.SendAuthAsync("c", PeerSetup.DefaultKey, Token, settingsJson: """{"persistence":"memory","persist_filter":"","max_request_bytes":1}""");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await raw.WaitForCloseAsync(Token));
        await a.WaitForLogAsync("peer c: setting max_request_bytes differs (2097152 here, 1 there)", Token);
        Assert.True(a.Logs.Has(LogLevel.Error, "peer c: setting max_request_bytes differs (2097152 here, 1 there)"));
    }

    [Fact]
    public async Task AHandshakeThatDoesNotFinishInTimeIsClosedWith1008()
    {
        var (a, port) = await StartAloneAsync(new PeerSetup("a") { HandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        await using var raw = await RawPeerClient.ConnectAsync(port, Token);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await raw.WaitForCloseAsync(Token));
        await a.WaitForLogAsync("refused: authentication did not finish in time", Token);
    }

    [Fact]
    public async Task AMessageOverMaxRequestBytesBeforeAuthenticationIsClosedWith1008()
    {
        var (_, port) = await StartAloneAsync(new PeerSetup("a") { Settings = new SharedSettings("memory", "", 1024) });
        await using var raw = await RawPeerClient.ConnectAsync(port, Token);
        await raw.SendTextAsync(new string(' ', 2000), Token);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await raw.WaitForCloseAsync(Token));
    }

    [Fact]
    public async Task ANewIncomingConnectionFromTheSamePeerReplacesTheOldOne()
    {
        var (a, port) = await StartAloneAsync();
        await using var first = await RawPeerClient.ConnectAsync(port, Token);
        await first.AuthenticateAsync("c", PeerSetup.DefaultKey, Token);
        await using var second = await RawPeerClient.ConnectAsync(port, Token);
        await second.AuthenticateAsync("c", PeerSetup.DefaultKey, Token);

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await first.WaitForCloseAsync(Token));
        Assert.Equal("replaced by a newer connection", first.CloseDescription);
        await second.SendRaftAsync([PeerTransportTestSuite.Heartbeat(IdOf(a, "c"), a.Id, 8)], Token);
        Assert.Equal(8UL, (await a.ReceiveAsync(Token)).Message.Term);
        var incoming = a.Events.Where(e => e.PeerName == "c" && e.Direction == PeerDirection.Incoming).ToArray();
        Assert.Equal(2, incoming.Count(e => e.State == PeerConnectionState.Authenticated));
    }

    [Fact]
    public async Task AnUndecodableFrameAfterAuthenticationIsClosedWith1007()
    {
        var (a, port) = await StartAloneAsync();
        await using var raw = await RawPeerClient.ConnectAsync(port, Token);
        await raw.AuthenticateAsync("c", PeerSetup.DefaultKey, Token);
        await raw.SendBinaryAsync([1, 1, 5, 0xff], Token);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, await raw.WaitForCloseAsync(Token));
        await a.WaitForEventAsync("c", PeerDirection.Incoming, PeerConnectionState.Disconnected, Token);
    }

    [Fact]
    public async Task TextOrAnUnknownFrameTypeAfterAuthenticationIsClosedWith1003()
    {
        var (_, port) = await StartAloneAsync();
        await using var text = await RawPeerClient.ConnectAsync(port, Token);
        await text.AuthenticateAsync("c", PeerSetup.DefaultKey, Token);
        await text.SendTextAsync("{}", Token);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await text.WaitForCloseAsync(Token));

        // Forwarding frames exist now (2-3); a type beyond the known ones still closes the connection.
        await using var unknown = await RawPeerClient.ConnectAsync(port, Token);
        await unknown.AuthenticateAsync("b", PeerSetup.DefaultKey, Token);
        await unknown.SendBinaryAsync([PeerFrame.Version, 99], Token);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await unknown.WaitForCloseAsync(Token));
    }

    [Fact]
    public async Task AFrameOverTheFrameLimitAfterAuthenticationIsClosedWith1009()
    {
        var (a, port) = await StartAloneAsync(new PeerSetup("a") { MaxFrameBytes = 4096 });
        await using var raw = await RawPeerClient.ConnectAsync(port, Token);
        await raw.AuthenticateAsync("c", PeerSetup.DefaultKey, Token);
        var big = PeerTransportTestSuite.Heartbeat(IdOf(a, "c"), a.Id, 1) with { Context = new byte[5000] };
        await raw.SendRaftAsync([big], Token);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await raw.WaitForCloseAsync(Token));
        Assert.Equal(0, a.Transport.Received.Count);
    }

    [Fact]
    public async Task AMessageTooLargeForAFrameIsDroppedWithAWarning()
    {
        var nodes = await StartClusterAsync([new PeerSetup("a") { MaxFrameBytes = 4096 }, new PeerSetup("b")]);
        var (a, b) = (nodes["a"], nodes["b"]);
        await a.WaitLinkedAsync("b", Token);
        a.Transport.Send(b.Id, [PeerTransportTestSuite.Heartbeat(a.Id, b.Id, 1) with { Context = new byte[5000] }, PeerTransportTestSuite.Heartbeat(a.Id, b.Id, 2)]);
        Assert.Equal(2UL, (await b.ReceiveAsync(Token)).Message.Term);
        Assert.Equal(1, a.Transport.GetCounters(b.Id).MessagesDropped);
        Assert.Contains(a.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.StartsWith("peer b: dropped a 50", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AShortKeyIsAWarning()
    {
        var (a, _) = await StartAloneAsync(new PeerSetup("a") { Key = "short" });
        Assert.True(a.Logs.Has(LogLevel.Warning, "cluster_key is shorter than 16 bytes; use a longer random key"));
    }

    [Fact]
    public async Task ClusterLogNamesPeerConnectsAndDisconnects()
    {
        var nodes = await StartAsync("a", "b");
        var a = nodes["a"];
        await a.WaitLinkedAsync("b", Token);
        Assert.Contains(a.Logs.Lines, l => l.Level == LogLevel.Information && l.Message.StartsWith("peer b: connected (outgoing, ws://127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(a.Logs.Lines, l => l.Level == LogLevel.Information && l.Message.StartsWith("peer b: connected (incoming, 127.0.0.1:", StringComparison.Ordinal));
        await RestartAsync("b");
        await a.WaitForLogAsync("peer b: disconnected (outgoing", Token);
    }
}
