using AntiEtcd.Raft;
using AntiEtcd.Server.Cluster;
using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>
/// The claims every <see cref="IPeerTransport"/> must satisfy (the dotNext TransportTestSuite idea): each transport
/// derives from this class and provides how to start, restart and stop a test cluster.
/// </summary>
public abstract class PeerTransportTestSuite(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

    protected ITestOutputHelper Output { get; } = output;

    /// <summary>Bounds every wait of a test; no test should get near it.</summary>
    protected CancellationToken Token => _timeout.Token;

    /// <summary>Starts every running node of <paramref name="setups"/>; the cluster lists all of them.</summary>
    protected abstract Task<IReadOnlyDictionary<string, TestPeer>> StartClusterAsync(IReadOnlyList<PeerSetup> setups);

    /// <summary>Stops node <paramref name="name"/> completely, then starts it again with the same identity and address.</summary>
    protected abstract Task<TestPeer> RestartAsync(string name);

    /// <summary>Stops every node.</summary>
    protected abstract ValueTask StopClusterAsync();

    public ValueTask InitializeAsync()
    {
        _timeout.CancelAfter(TimeSpan.FromSeconds(15));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await StopClusterAsync();
        _timeout.Dispose();
        GC.SuppressFinalize(this);
    }

    internal static Message Heartbeat(NodeId from, NodeId to, ulong term) =>
        new() { Type = MessageType.Heartbeat, From = from, To = to, Term = term, Commit = term };

    protected Task<IReadOnlyDictionary<string, TestPeer>> StartAsync(params string[] names) =>
        StartClusterAsync([.. names.Select(n => new PeerSetup(n))]);

    [Fact]
    public async Task DeliversInOrderAndAttributesToTheAuthenticatedSender()
    {
        var nodes = await StartAsync("a", "b");
        var (a, b) = (nodes["a"], nodes["b"]);
        await a.WaitLinkedAsync("b", Token);
        var app = new Message
        {
            Type = MessageType.App,
            From = a.Id,
            To = b.Id,
            Term = 3,
            LogTerm = 2,
            Index = 7,
            Commit = 6,
            Entries = [new Entry(3, 8, EntryType.Normal, new byte[] { 1, 2, 3 }), new Entry(3, 9, EntryType.Empty, default)],
        };
        a.Transport.Send(b.Id, [Heartbeat(a.Id, b.Id, 1), app, Heartbeat(a.Id, b.Id, 2)]);

        var first = await b.ReceiveAsync(Token);
        var second = await b.ReceiveAsync(Token);
        var third = await b.ReceiveAsync(Token);
        Assert.Equal(a.Id, first.From);
        Assert.Equal(a.Id, second.From);
        Assert.Equal(1UL, first.Message.Term);
        Assert.Equal(MessageType.App, second.Message.Type);
        Assert.Equal([1, 2, 3], second.Message.Entries[0].Data.ToArray());
        Assert.Equal(EntryType.Empty, second.Message.Entries[1].Type);
        Assert.Equal(2UL, third.Message.Term);
        Assert.Equal(a.Id, third.Message.From);
        Assert.Equal(b.Id, third.Message.To);
    }

    [Fact]
    public async Task BothDirectionsWork()
    {
        var nodes = await StartAsync("a", "b");
        var (a, b) = (nodes["a"], nodes["b"]);
        await a.WaitLinkedAsync("b", Token);
        await b.WaitLinkedAsync("a", Token);
        a.Transport.Send(b.Id, [Heartbeat(a.Id, b.Id, 1)]);
        b.Transport.Send(a.Id, [Heartbeat(b.Id, a.Id, 2)]);
        Assert.Equal(a.Id, (await b.ReceiveAsync(Token)).From);
        Assert.Equal(b.Id, (await a.ReceiveAsync(Token)).From);
    }

    [Fact]
    public async Task BatchesSeveralMessagesPerFrame()
    {
        var nodes = await StartAsync("a", "b");
        var (a, b) = (nodes["a"], nodes["b"]);
        await a.WaitLinkedAsync("b", Token);
        const int count = 500;
        var batch = Enumerable.Range(1, count).Select(i => Heartbeat(a.Id, b.Id, (ulong)i)).ToArray();
        a.Transport.Send(b.Id, batch);
        for (var i = 1; i <= count; i++)
        {
            Assert.Equal((ulong)i, (await b.ReceiveAsync(Token)).Message.Term);
        }

        // The receiver's counters are final once its messages are out; the sender's may lag its last write.
        var received = b.Transport.GetCounters(a.Id);
        Assert.Equal(count, received.MessagesReceived);
        Assert.InRange(received.FramesReceived, 1, count / 2);
    }

    /// <summary>SPEC §10.4: a message larger than a frame (a snapshot) is chunked by the WebSocket transport; on either
    /// transport it arrives whole, in order with the messages around it, even though it alone exceeds the byte bound
    /// of the send queue.</summary>
    [Fact]
    public async Task AMessageLargerThanAFrameArrivesWholeAndInOrder()
    {
        var nodes = await StartClusterAsync([
            new PeerSetup("a") { MaxFrameBytes = 4096, MaxQueuedBytes = 8192 },
            new PeerSetup("b") { MaxFrameBytes = 4096 }]);
        var (a, b) = (nodes["a"], nodes["b"]);
        await a.WaitLinkedAsync("b", Token);
        var data = new byte[100 * 1024];
        new Random(7).NextBytes(data);
        var snapshot = new Message
        {
            Type = MessageType.Snap,
            From = a.Id,
            To = b.Id,
            Term = 2,
            Snapshot = new Snapshot(new SnapshotMetadata(90, 2, [a.Id, b.Id]), data),
        };
        a.Transport.Send(b.Id, [Heartbeat(a.Id, b.Id, 1), snapshot, Heartbeat(a.Id, b.Id, 3)]);
        a.Transport.Send(b.Id, [Heartbeat(a.Id, b.Id, 4)]);

        Assert.Equal(1UL, (await b.ReceiveAsync(Token)).Message.Term);
        var received = await b.ReceiveAsync(Token);
        Assert.Equal(a.Id, received.From);
        Assert.Equal(MessageType.Snap, received.Message.Type);
        Assert.Equal(90UL, received.Message.Snapshot!.Index);
        Assert.Equal(data, received.Message.Snapshot.Data.ToArray());
        Assert.Equal(3UL, (await b.ReceiveAsync(Token)).Message.Term);
        Assert.Equal(4UL, (await b.ReceiveAsync(Token)).Message.Term);
        Assert.Equal(0, a.Transport.GetCounters(b.Id).MessagesDropped);
        Assert.Equal(4, b.Transport.GetCounters(a.Id).MessagesReceived);
    }

    [Fact]
    public async Task ANodeIdInsideAMessageIsNeverTrusted()
    {
        var nodes = await StartAsync("a", "b", "c");
        var (a, b, c) = (nodes["a"], nodes["b"], nodes["c"]);
        await a.WaitLinkedAsync("b", Token);

        // From claims to be c: the receiver attributes it to a, whose connection carried it.
        a.Transport.Send(b.Id, [Heartbeat(c.Id, b.Id, 5)]);

        // Addressed to c: b must not take it as its own.
        a.Transport.Send(b.Id, [Heartbeat(a.Id, c.Id, 6)]);
        a.Transport.Send(b.Id, [Heartbeat(a.Id, b.Id, 7)]);

        var forged = await b.ReceiveAsync(Token);
        Assert.Equal(a.Id, forged.From);
        Assert.Equal(a.Id, forged.Message.From);
        Assert.Equal(5UL, forged.Message.Term);
        var next = await b.ReceiveAsync(Token);
        Assert.Equal(7UL, next.Message.Term);
        Assert.Equal(a.Id, next.From);
    }

    [Fact]
    public async Task SendingToANonPeerThrows()
    {
        var nodes = await StartAsync("a", "b");
        var a = nodes["a"];
        Assert.Throws<ArgumentException>(() => a.Transport.Send(a.Id, [Heartbeat(a.Id, a.Id, 1)]));
        Assert.Throws<ArgumentException>(() => a.Transport.Send(new NodeId(12345), [Heartbeat(a.Id, new NodeId(12345), 1)]));
        Assert.Throws<ArgumentException>(() => a.Transport.GetCounters(a.Id));
    }

    [Fact]
    public async Task WrongKeyIsRefusedOnBothSides()
    {
        var nodes = await StartClusterAsync([new PeerSetup("a"), new PeerSetup("b") { Key = "another-key-0123456789" }]);
        var (a, b) = (nodes["a"], nodes["b"]);
        await a.Signal.WaitUntilAsync(() => a.Transport.HandshakeFailures > 0, "a refuses b", Token);
        await b.Signal.WaitUntilAsync(() => b.Transport.HandshakeFailures > 0, "b refuses a", Token);
        Assert.False(a.HasEvent("b", PeerDirection.Outgoing, PeerConnectionState.Authenticated));
        Assert.False(a.HasEvent("b", PeerDirection.Incoming, PeerConnectionState.Authenticated));
        Assert.False(b.HasEvent("a", PeerDirection.Incoming, PeerConnectionState.Authenticated));
        Assert.DoesNotContain(a.Logs.Lines, l => l.Message.Contains(PeerSetup.DefaultKey, StringComparison.Ordinal));
        Assert.DoesNotContain(b.Logs.Lines, l => l.Message.Contains("another-key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WrongClusterIsRefused()
    {
        // b believes in a third member, so its cluster_id differs from a's.
        var nodes = await StartClusterAsync([
            new PeerSetup("a") { Members = ["a", "b"] },
            new PeerSetup("b") { Members = ["a", "b", "c"] },
            new PeerSetup("c") { Running = false },
        ]);
        var (a, b) = (nodes["a"], nodes["b"]);
        await a.Signal.WaitUntilAsync(() => a.Transport.HandshakeFailures > 0, "a refuses b", Token);
        await b.Signal.WaitUntilAsync(() => b.Transport.HandshakeFailures > 0, "b refuses a", Token);
        await a.WaitForLogAsync("cluster id differs", Token);
        Assert.False(a.HasEvent("b", PeerDirection.Outgoing, PeerConnectionState.Authenticated));
        Assert.False(b.HasEvent("a", PeerDirection.Outgoing, PeerConnectionState.Authenticated));
    }

    [Fact]
    public async Task DifferentSharedSettingsAreRefusedAndLoggedOnBothSides()
    {
        var nodes = await StartClusterAsync([
            new PeerSetup("a") { Settings = new SharedSettings("data", "", 2097152) },
            new PeerSetup("b") { Settings = new SharedSettings("memory", "", 2097152) },
        ]);
        var (a, b) = (nodes["a"], nodes["b"]);
        await a.WaitForLogAsync("peer b: setting persistence differs (data here, memory there)", Token);
        await b.WaitForLogAsync("peer a: setting persistence differs (memory here, data there)", Token);
        Assert.True(a.Logs.Has(LogLevel.Error, "peer b: setting persistence differs (data here, memory there)"));
        Assert.False(a.HasEvent("b", PeerDirection.Outgoing, PeerConnectionState.Authenticated));
        Assert.False(b.HasEvent("a", PeerDirection.Outgoing, PeerConnectionState.Authenticated));
    }

    [Fact]
    public async Task AnEmptyPersistFilterIsShownAsQuotes()
    {
        var nodes = await StartClusterAsync([
            new PeerSetup("a") { Settings = new SharedSettings("data", "My.Filter", 2097152) },
            new PeerSetup("b") { Settings = new SharedSettings("data", "", 2097152) },
        ]);
        await nodes["a"].WaitForLogAsync("peer b: setting persist_filter differs (My.Filter here, \"\" there)", Token);
        await nodes["b"].WaitForLogAsync("peer a: setting persist_filter differs (\"\" here, My.Filter there)", Token);
    }

    [Fact]
    public async Task ADeadPeerDoesNotDelayDeliveryToALiveOne()
    {
        var nodes = await StartClusterAsync([
            new PeerSetup("a") { HandshakeTimeout = TimeSpan.FromMinutes(5) },
            new PeerSetup("b"),
            new PeerSetup("c") { Running = false },
        ]);
        var (a, b) = (nodes["a"], nodes["b"]);
        await a.WaitLinkedAsync("b", Token);
        var dead = a.Transport.Peers.Single(p => p.Name == "c").Id;
        for (var i = 0; i < 100; i++)
        {
            a.Transport.Send(dead, [.. Enumerable.Range(0, 100).Select(j => Heartbeat(a.Id, dead, (ulong)j))]);
        }

        a.Transport.Send(b.Id, [Heartbeat(a.Id, b.Id, 42)]);
        Assert.Equal(42UL, (await b.ReceiveAsync(Token)).Message.Term);
        Assert.Equal(0, a.Transport.GetCounters(dead).MessagesSent);

        // 10 000 messages against a queue of at most 4096: the oldest went, the caller never waited.
        Assert.True(a.Transport.GetCounters(dead).MessagesDropped >= 10_000 - 4096);
    }

    [Fact]
    public async Task ReconnectsAfterThePeerRestarts()
    {
        var nodes = await StartAsync("a", "b");
        var a = nodes["a"];
        await a.WaitLinkedAsync("b", Token);
        var before = a.LastConnectionId("b", PeerDirection.Outgoing);

        var b = await RestartAsync("b");
        await a.WaitForEventAsync("b", PeerDirection.Outgoing, PeerConnectionState.Disconnected, Token);
        await a.WaitForEventAsync("b", PeerDirection.Outgoing, PeerConnectionState.Authenticated, Token, afterConnection: before);
        a.Transport.Send(b.Id, [Heartbeat(a.Id, b.Id, 9)]);
        var received = await b.ReceiveAsync(Token);
        Assert.Equal(a.Id, received.From);
        Assert.Equal(9UL, received.Message.Term);
        await b.WaitForEventAsync("a", PeerDirection.Outgoing, PeerConnectionState.Authenticated, Token);
        b.Transport.Send(a.Id, [Heartbeat(b.Id, a.Id, 10)]);
        Assert.Equal(10UL, (await a.ReceiveAsync(Token)).Message.Term);
    }

    [Fact]
    public async Task ReportsConnectedAuthenticatedDisconnectedPerDirection()
    {
        var nodes = await StartAsync("a", "b");
        var a = nodes["a"];
        await a.WaitLinkedAsync("b", Token);
        var outgoing = a.Events.Where(e => e.PeerName == "b" && e.Direction == PeerDirection.Outgoing).Select(e => e.State).ToArray();
        Assert.Equal([PeerConnectionState.Connected, PeerConnectionState.Authenticated], outgoing[..2]);
        Assert.All(a.Events, e => Assert.Equal(nodes["b"].Id, e.Peer));

        await RestartAsync("b");
        await a.WaitForEventAsync("b", PeerDirection.Outgoing, PeerConnectionState.Disconnected, Token);
        await a.WaitForEventAsync("b", PeerDirection.Incoming, PeerConnectionState.Disconnected, Token);
    }
}
