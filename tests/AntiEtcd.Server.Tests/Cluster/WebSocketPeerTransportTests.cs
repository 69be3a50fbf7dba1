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
                MaxMessageBytes = setup.MaxMessageBytes,
                MaxQueuedBytes = setup.MaxQueuedBytes,
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
    public async Task AMessageOverTheChunkedLimitIsDroppedWithAWarning()
    {
        var nodes = await StartClusterAsync([new PeerSetup("a") { MaxFrameBytes = 4096, MaxMessageBytes = 8192 }, new PeerSetup("b")]);
        var (a, b) = (nodes["a"], nodes["b"]);
        await a.WaitLinkedAsync("b", Token);
        a.Transport.Send(b.Id, [
            PeerTransportTestSuite.Heartbeat(a.Id, b.Id, 1) with { Context = new byte[10000] },
            PeerTransportTestSuite.Heartbeat(a.Id, b.Id, 2) with { Context = new byte[5000] },
            PeerTransportTestSuite.Heartbeat(a.Id, b.Id, 3)]);

        // Over the frame limit but within the message limit: chunked, not dropped.
        var chunked = await b.ReceiveAsync(Token);
        Assert.Equal(2UL, chunked.Message.Term);
        Assert.Equal(5000, chunked.Message.Context.Length);
        Assert.Equal(3UL, (await b.ReceiveAsync(Token)).Message.Term);
        Assert.Equal(1, a.Transport.GetCounters(b.Id).MessagesDropped);
        Assert.Contains(a.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.StartsWith("peer b: dropped a 100", StringComparison.Ordinal));
    }

    /// <summary>SPEC §10.4 chunks as a raw peer writes them: reassembled and delivered once complete; a transfer cut off by
    /// its connection or replaced by a new transfer id is discarded.</summary>
    [Fact]
    public async Task ChunksFromARawPeerAreReassembledAndPartialTransfersDiscarded()
    {
        var (a, port) = await StartAloneAsync(new PeerSetup("a") { MaxFrameBytes = 4096 });
        var c = IdOf(a, "c");
        var payload = RaftPayload(PeerTransportTestSuite.Heartbeat(c, a.Id, 7) with { Context = Pattern(10000) });

        await using (var cut = await RawPeerClient.ConnectAsync(port, Token))
        {
            await cut.AuthenticateAsync("c", PeerSetup.DefaultKey, Token);
            await cut.SendBinaryAsync(Chunk(1, payload, 0, 3000), Token);
        }

        await using var raw = await RawPeerClient.ConnectAsync(port, Token);
        await raw.AuthenticateAsync("c", PeerSetup.DefaultKey, Token);
        await raw.SendBinaryAsync(Chunk(1, payload, 0, 3000), Token);
        await raw.SendBinaryAsync(Chunk(1, payload, 3000, 3000), Token);

        // Transfer 2 replaces the partial transfer 1.
        for (var offset = 0; offset < payload.Length; offset += 4000)
        {
            await raw.SendBinaryAsync(Chunk(2, payload, offset, Math.Min(4000, payload.Length - offset)), Token);
        }

        await raw.SendRaftAsync([PeerTransportTestSuite.Heartbeat(c, a.Id, 8)], Token);
        var whole = await a.ReceiveAsync(Token);
        Assert.Equal(7UL, whole.Message.Term);
        Assert.Equal(c, whole.From);
        Assert.Equal(Pattern(10000), whole.Message.Context.ToArray());
        Assert.Equal(8UL, (await a.ReceiveAsync(Token)).Message.Term);
        Assert.Equal(0, a.Transport.Received.Count);
    }

    [Fact]
    public async Task ABrokenChunkSequenceIsClosedAndTheGoodPeerKeepsWorking()
    {
        var nodes = await StartClusterAsync([new PeerSetup("a") { MaxFrameBytes = 4096 }, new PeerSetup("b") { MaxFrameBytes = 4096 }, new PeerSetup("c") { Running = false }]);
        var (a, b) = (nodes["a"], nodes["b"]);
        var port = _nodes["a"].Host.Port;
        var c = IdOf(a, "c");
        var payload = RaftPayload(PeerTransportTestSuite.Heartbeat(c, a.Id, 7) with { Context = Pattern(10000) });

        // A gap: the second chunk does not start where the first ended.
        await CloseCodeAsync(WebSocketCloseStatus.InvalidPayloadData, Chunk(1, payload, 0, 3000), Chunk(1, payload, 4000, 3000));

        // A transfer that does not start at offset 0.
        await CloseCodeAsync(WebSocketCloseStatus.InvalidPayloadData, Chunk(1, payload, 3000, 3000));

        // The total length changes mid-transfer.
        await CloseCodeAsync(WebSocketCloseStatus.InvalidPayloadData, Chunk(1, payload, 0, 3000), Chunk(1, payload.AsSpan(0, 9000).ToArray(), 3000, 3000));

        // A chunk past the total length, and one without bytes.
        await CloseCodeAsync(WebSocketCloseStatus.InvalidPayloadData, Chunk(1, payload.AsSpan(0, 2000).ToArray(), 0, 2000, pieceLength: 3000));
        await CloseCodeAsync(WebSocketCloseStatus.InvalidPayloadData, Chunk(1, payload, 0, 0));

        // A batch in the middle of a transfer.
        await CloseCodeAsync(
            WebSocketCloseStatus.InvalidPayloadData,
            Chunk(1, payload, 0, 3000),
            RaftMessageCodec.EncodeFrame([PeerTransportTestSuite.Heartbeat(c, a.Id, 8)]));

        // Complete, but not a RaftBatch payload.
        await CloseCodeAsync(WebSocketCloseStatus.InvalidPayloadData, Chunk(1, [0x05, 0x01], 0, 2));

        // More than a receiver reassembles (Array.MaxLength).
        var huge = PeerChunk.HeaderLength + 10;
        var frame = new byte[huge];
        PeerChunk.WriteFrame(frame, 1, 3L * 1024 * 1024 * 1024, 0, new byte[10]);
        await CloseCodeAsync(WebSocketCloseStatus.MessageTooBig, frame);

        Assert.Equal(0, a.Transport.Received.Count);
        await a.WaitLinkedAsync("b", Token);
        await b.WaitLinkedAsync("a", Token);
        a.Transport.Send(b.Id, [PeerTransportTestSuite.Heartbeat(a.Id, b.Id, 1) with { Context = Pattern(10000) }]);
        b.Transport.Send(a.Id, [PeerTransportTestSuite.Heartbeat(b.Id, a.Id, 2) with { Context = Pattern(10000) }]);
        Assert.Equal(Pattern(10000), (await b.ReceiveAsync(Token)).Message.Context.ToArray());
        var fromB = await a.ReceiveAsync(Token);
        Assert.Equal(b.Id, fromB.From);
        Assert.Equal(Pattern(10000), fromB.Message.Context.ToArray());

        async Task CloseCodeAsync(WebSocketCloseStatus expected, params byte[][] frames)
        {
            await using var raw = await RawPeerClient.ConnectAsync(port, Token);
            await raw.AuthenticateAsync("c", PeerSetup.DefaultKey, Token);
            foreach (var f in frames)
            {
                await raw.SendBinaryAsync(f, Token);
            }

            Assert.Equal(expected, await raw.WaitForCloseAsync(Token));
        }
    }

    /// <summary>The RaftBatch payload (no envelope) holding <paramref name="message"/>.</summary>
    private static byte[] RaftPayload(Message message) => RaftMessageCodec.EncodeFrame([message])[PeerFrame.HeaderLength..];

    /// <summary>A chunk frame carrying <paramref name="length"/> bytes of <paramref name="payload"/> from <paramref name="offset"/>,
    /// announcing <paramref name="payload"/>'s length as the total; <paramref name="pieceLength"/> overrides the piece size.</summary>
    private static byte[] Chunk(ulong transferId, byte[] payload, int offset, int length, int? pieceLength = null)
    {
        var piece = new byte[pieceLength ?? length];
        payload.AsSpan(offset, Math.Min(length, payload.Length - offset)).CopyTo(piece);
        var frame = new byte[PeerChunk.HeaderLength + piece.Length];
        PeerChunk.WriteFrame(frame, transferId, payload.Length, offset, piece);
        return frame;
    }

    private static byte[] Pattern(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * 31 + (i >> 8)))];

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
