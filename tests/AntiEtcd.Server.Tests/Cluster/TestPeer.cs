using AntiEtcd.Raft;
using AntiEtcd.Server.Cluster;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>One running node of a transport test: its transport, its logs and its connection events.</summary>
public sealed class TestPeer
{
    private readonly Lock _lock = new();
    private readonly List<PeerStateChangedEventArgs> _events = [];

    internal TestPeer(string name, IPeerTransport transport, LogCapture logs, AsyncSignal signal)
    {
        Name = name;
        Transport = transport;
        Logs = logs;
        Signal = signal;
        transport.PeerStateChanged += (_, e) =>
        {
            lock (_lock)
            {
                _events.Add(e);
            }

            signal.Pulse();
        };
    }

    public string Name { get; }

    internal IPeerTransport Transport { get; }

    public LogCapture Logs { get; }

    public AsyncSignal Signal { get; }

    internal NodeId Id => Transport.LocalId;

    internal IReadOnlyList<PeerStateChangedEventArgs> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    internal bool HasEvent(string peer, PeerDirection direction, PeerConnectionState state, long afterConnection = 0) =>
        Events.Any(e => e.PeerName == peer && e.Direction == direction && e.State == state && e.ConnectionId > afterConnection);

    internal Task WaitForEventAsync(string peer, PeerDirection direction, PeerConnectionState state, CancellationToken cancellationToken, long afterConnection = 0) =>
        Signal.WaitUntilAsync(() => HasEvent(peer, direction, state, afterConnection), $"{Name}: {peer} {direction} {state}", cancellationToken);

    /// <summary>Both connections between this node and <paramref name="peer"/> are authenticated on this side.</summary>
    internal async Task WaitLinkedAsync(string peer, CancellationToken cancellationToken)
    {
        await WaitForEventAsync(peer, PeerDirection.Outgoing, PeerConnectionState.Authenticated, cancellationToken);
        await WaitForEventAsync(peer, PeerDirection.Incoming, PeerConnectionState.Authenticated, cancellationToken);
    }

    internal Task WaitForLogAsync(string fragment, CancellationToken cancellationToken) =>
        Signal.WaitUntilAsync(() => Logs.Contains(fragment), $"{Name}: log containing '{fragment}'", cancellationToken);

    internal async Task<PeerMessage> ReceiveAsync(CancellationToken cancellationToken) => await Transport.Received.ReadAsync(cancellationToken);

    internal long LastConnectionId(string peer, PeerDirection direction) =>
        Events.Where(e => e.PeerName == peer && e.Direction == direction).Select(e => e.ConnectionId).DefaultIfEmpty(0).Max();
}
