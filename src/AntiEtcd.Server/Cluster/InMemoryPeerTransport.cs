using System.Threading.Channels;
using AntiEtcd.Raft;
using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Cluster;

/// <summary>An <see cref="IPeerTransport"/> over an <see cref="InMemoryPeerNetwork"/>, for the simulation and tests.</summary>
/// <remarks>
/// Same contract as <see cref="WebSocketPeerTransport"/>, with two simplifications that keep it deterministic:
/// a send to a peer that is not connected is dropped at once (counted in <see cref="PeerCounters.MessagesDropped"/>)
/// instead of queued, and each <see cref="Send"/> call is delivered as one frame. Only the options that describe
/// identity, key, settings and logs are used.
/// </remarks>
internal sealed class InMemoryPeerTransport : IPeerTransport
{
    private readonly InMemoryPeerNetwork _network;
    private readonly Channel<PeerMessage> _received;
    private readonly Dictionary<NodeId, Counters> _counters = [];
    private readonly Dictionary<NodeId, (long Outgoing, long Incoming)> _connections = [];
    private readonly ILogger _logger;
    private long _handshakeFailures;
    private int _started;
    private int _disposed;

    /// <summary>Creates a transport on <paramref name="network"/>; it joins the network in <see cref="StartAsync"/>.</summary>
    public InMemoryPeerTransport(InMemoryPeerNetwork network, PeerTransportOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _network = network;
        _logger = logger;
        Options = options;
        Membership = new ClusterMembership(options.NodeName, options.Cluster);
        _received = Channel.CreateBounded<PeerMessage>(new BoundedChannelOptions(options.ReceiveQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
        foreach (var peer in Membership.Peers)
        {
            _counters[peer.Id] = new Counters();
        }

        if (ClusterKey.IsShort(options.ClusterKey.Span))
        {
            ClusterLog.ShortClusterKey(logger, ClusterKey.RecommendedMinimumBytes);
        }
    }

    /// <inheritdoc/>
    public event EventHandler<PeerStateChangedEventArgs>? PeerStateChanged;

    /// <inheritdoc/>
    public NodeId LocalId => Membership.Local.Id;

    /// <inheritdoc/>
    public IReadOnlyList<ClusterMember> Peers => Membership.Peers;

    /// <inheritdoc/>
    public ChannelReader<PeerMessage> Received => _received.Reader;

    /// <inheritdoc/>
    public long HandshakeFailures => Interlocked.Read(ref _handshakeFailures);

    internal PeerTransportOptions Options { get; }

    internal ClusterMembership Membership { get; }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The peer transport is already started.");
        }

        _network.Attach(this);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Send(NodeId to, IReadOnlyList<Message> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var counters = CountersOf(to);
        var receiver = Volatile.Read(ref _disposed) == 0 ? _network.Route(this, to) : null;
        if (receiver is null)
        {
            Interlocked.Add(ref counters.MessagesDropped, messages.Count);
            return;
        }

        var delivered = receiver.Deliver(LocalId, messages);
        Interlocked.Add(ref counters.MessagesSent, messages.Count);
        Interlocked.Add(ref counters.MessagesDropped, messages.Count - delivered);
        Interlocked.Increment(ref counters.FramesSent);
    }

    /// <inheritdoc/>
    public Action<PeerFrameReceived>? FrameHandler { get; set; }

    /// <inheritdoc/>
    public long SendFrame(NodeId to, byte[] frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        CountersOf(to);
        var receiver = Volatile.Read(ref _disposed) == 0 ? _network.Route(this, to) : null;
        long outgoing;
        lock (_connections)
        {
            outgoing = _connections.TryGetValue(to, out var ids) ? ids.Outgoing : 0;
        }

        if (receiver is null || outgoing == 0)
        {
            return 0;
        }

        receiver.DeliverFrame(LocalId, frame, this);
        return outgoing;
    }

    /// <inheritdoc/>
    public PeerCounters GetCounters(NodeId peer)
    {
        var c = CountersOf(peer);
        return new PeerCounters(
            Interlocked.Read(ref c.MessagesSent),
            Interlocked.Read(ref c.FramesSent),
            Interlocked.Read(ref c.MessagesDropped),
            Interlocked.Read(ref c.MessagesReceived),
            Interlocked.Read(ref c.FramesReceived));
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _network.Detach(this);
            _received.Writer.TryComplete();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Accepts one frame from <paramref name="from"/>; returns how many messages were delivered.</summary>
    internal int Deliver(NodeId from, IReadOnlyList<Message> messages)
    {
        var counters = CountersOf(from);
        Interlocked.Increment(ref counters.FramesReceived);
        var delivered = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (!message.To.IsNone && message.To != LocalId)
            {
                continue;
            }

            var attributed = message.From == from && message.To == LocalId ? message : message with { From = from, To = LocalId };
            if (_received.Writer.TryWrite(new PeerMessage(from, attributed)))
            {
                delivered++;
            }
        }

        Interlocked.Add(ref counters.MessagesReceived, delivered);
        return delivered;
    }

    /// <summary>Hands a non-Raft frame from <paramref name="from"/> to the handler; replies travel back the same way.</summary>
    internal void DeliverFrame(NodeId from, byte[] frame, InMemoryPeerTransport sender)
    {
        var type = PeerFrame.ReadHeader(frame, out var payload);
        FrameHandler?.Invoke(new PeerFrameReceived(from, type, payload, reply =>
        {
            if (Volatile.Read(ref sender._disposed) != 0 || _network.Route(this, from) is null)
            {
                return false;
            }

            sender.DeliverFrame(LocalId, reply, this);
            return true;
        }));
    }

    internal void Connected(ClusterMember peer, long outgoing, long incoming)
    {
        lock (_connections)
        {
            _connections[peer.Id] = (outgoing, incoming);
        }

        Raise(peer, PeerDirection.Outgoing, PeerConnectionState.Connected, outgoing, null);
        Raise(peer, PeerDirection.Outgoing, PeerConnectionState.Authenticated, outgoing, null);
        Raise(peer, PeerDirection.Incoming, PeerConnectionState.Connected, incoming, null);
        Raise(peer, PeerDirection.Incoming, PeerConnectionState.Authenticated, incoming, null);
    }

    internal void Disconnected(ClusterMember peer, string reason)
    {
        (long Outgoing, long Incoming) ids;
        lock (_connections)
        {
            if (!_connections.Remove(peer.Id, out ids))
            {
                return;
            }
        }

        Raise(peer, PeerDirection.Outgoing, PeerConnectionState.Disconnected, ids.Outgoing, reason);
        Raise(peer, PeerDirection.Incoming, PeerConnectionState.Disconnected, ids.Incoming, reason);
    }

    internal void Refused(ClusterMember? peer, string reason)
    {
        Interlocked.Increment(ref _handshakeFailures);
        if (peer is null)
        {
            ClusterLog.IncomingRefused(_logger, "memory", reason);
        }
        else
        {
            ClusterLog.OutgoingRefused(_logger, peer.Name, "memory", reason);
        }
    }

    internal void LogSettingDiffers(string peerName, (string Name, string Ours, string Theirs) difference) =>
        ClusterLog.SettingDiffers(_logger, peerName, difference.Name, difference.Ours, difference.Theirs);

    private Counters CountersOf(NodeId peer) =>
        _counters.TryGetValue(peer, out var counters) ? counters : throw new ArgumentException($"{peer} is not a peer of this node.", nameof(peer));

    private void Raise(ClusterMember peer, PeerDirection direction, PeerConnectionState state, long connectionId, string? reason)
    {
        if (Options.LogCluster && state != PeerConnectionState.Connected)
        {
            var directionText = direction == PeerDirection.Outgoing ? "outgoing" : "incoming";
            if (state == PeerConnectionState.Authenticated)
            {
                ClusterLog.Connected(_logger, peer.Name, directionText, "memory");
            }
            else
            {
                ClusterLog.Disconnected(_logger, peer.Name, directionText, "memory", reason ?? "closed");
            }
        }

        try
        {
            PeerStateChanged?.Invoke(this, new PeerStateChangedEventArgs(peer.Id, peer.Name, direction, state, connectionId, reason));
        }
#pragma warning disable CA1031 // A subscriber's bug must not break the network.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ClusterLog.EventHandlerFailed(_logger, e);
        }
    }

    private sealed class Counters
    {
        public long MessagesSent;
        public long FramesSent;
        public long MessagesDropped;
        public long MessagesReceived;
        public long FramesReceived;
    }
}
