using AntiEtcd.Raft;

namespace AntiEtcd.Server.Cluster;

/// <summary>
/// A process-local network for <see cref="InMemoryPeerTransport"/>s: the simulation's and the tests' stand-in for
/// WebSockets. Two started transports are connected when each lists the other and their cluster key, cluster_id
/// and shared settings agree, the checks the SPEC §10.3 handshake makes; links can be cut and healed.
/// </summary>
/// <remarks>Thread-safe. Delivery is synchronous: <see cref="IPeerTransport.Send"/> on one transport writes into the
/// receiver's <see cref="IPeerTransport.Received"/> before it returns, so a single-threaded driver is deterministic.
/// Events are raised outside the network's lock.</remarks>
internal sealed class InMemoryPeerNetwork
{
    private readonly Lock _lock = new();
    private readonly Dictionary<NodeId, InMemoryPeerTransport> _nodes = [];
    private readonly HashSet<(NodeId, NodeId)> _cut = [];
    private readonly Dictionary<(NodeId, NodeId), long> _connections = [];
    private long _nextConnectionId;

    /// <summary>Stops delivery between <paramref name="a"/> and <paramref name="b"/> in both directions.</summary>
    public void Cut(NodeId a, NodeId b)
    {
        List<Action> events = [];
        lock (_lock)
        {
            _cut.Add(Ordered(a, b));
            Disconnect(a, b, "link cut", events);
        }

        Run(events);
    }

    /// <summary>Restores a link cut by <see cref="Cut"/>.</summary>
    public void Heal(NodeId a, NodeId b)
    {
        List<Action> events = [];
        lock (_lock)
        {
            _cut.Remove(Ordered(a, b));
            if (_nodes.TryGetValue(a, out var x) && _nodes.TryGetValue(b, out var y))
            {
                Connect(x, y, events);
            }
        }

        Run(events);
    }

    internal void Attach(InMemoryPeerTransport transport)
    {
        List<Action> events = [];
        lock (_lock)
        {
            if (!_nodes.TryAdd(transport.LocalId, transport))
            {
                throw new InvalidOperationException($"Node {transport.LocalId} is already on the network.");
            }

            foreach (var other in _nodes.Values)
            {
                if (other != transport)
                {
                    Connect(transport, other, events);
                }
            }
        }

        Run(events);
    }

    internal void Detach(InMemoryPeerTransport transport)
    {
        List<Action> events = [];
        lock (_lock)
        {
            if (!_nodes.TryGetValue(transport.LocalId, out var current) || current != transport)
            {
                return;
            }

            _nodes.Remove(transport.LocalId);
            foreach (var other in _nodes.Keys)
            {
                Disconnect(transport.LocalId, other, "peer stopped", events);
            }
        }

        Run(events);
    }

    /// <summary>The receiver when <paramref name="from"/> and <paramref name="to"/> are connected, else null.</summary>
    internal InMemoryPeerTransport? Route(InMemoryPeerTransport from, NodeId to)
    {
        lock (_lock)
        {
            return _connections.ContainsKey(Ordered(from.LocalId, to)) && _nodes.TryGetValue(to, out var receiver) ? receiver : null;
        }
    }

    private void Connect(InMemoryPeerTransport x, InMemoryPeerTransport y, List<Action> events)
    {
        var pair = Ordered(x.LocalId, y.LocalId);
        if (_cut.Contains(pair) || _connections.ContainsKey(pair))
        {
            return;
        }

        var xSeesY = x.Membership.Find(y.LocalId);
        var ySeesX = y.Membership.Find(x.LocalId);
        if (xSeesY is null || ySeesX is null)
        {
            // One of them is not a member for the other: the handshake would say "unknown node id".
            if (xSeesY is not null || ySeesX is not null)
            {
                events.Add(() => x.Refused(xSeesY, "unknown node id"));
                events.Add(() => y.Refused(ySeesX, "unknown node id"));
            }

            return;
        }

        string? failure = null;
        if (!x.Options.ClusterKey.Span.SequenceEqual(y.Options.ClusterKey.Span))
        {
            failure = "authentication failed";
        }
        else if (x.Membership.ClusterId != y.Membership.ClusterId)
        {
            failure = "cluster id differs";
        }
        else if (x.Options.Settings.FirstDifference(y.Options.Settings) is { } difference)
        {
            failure = $"setting {difference.Name} differs";
            var reverse = y.Options.Settings.FirstDifference(x.Options.Settings)!.Value;
            events.Add(() => x.LogSettingDiffers(xSeesY.Name, difference));
            events.Add(() => y.LogSettingDiffers(ySeesX.Name, reverse));
        }

        if (failure is not null)
        {
            var reason = failure;
            events.Add(() => x.Refused(xSeesY, reason));
            events.Add(() => y.Refused(ySeesX, reason));
            return;
        }

        // Two connections, one dialled by each side, as over WebSockets.
        var outgoingX = ++_nextConnectionId;
        var outgoingY = ++_nextConnectionId;
        _connections[pair] = outgoingX;
        events.Add(() => x.Connected(xSeesY, outgoingX, outgoingY));
        events.Add(() => y.Connected(ySeesX, outgoingY, outgoingX));
    }

    private void Disconnect(NodeId a, NodeId b, string reason, List<Action> events)
    {
        var pair = Ordered(a, b);
        if (!_connections.Remove(pair))
        {
            return;
        }

        foreach (var (self, other) in new[] { (a, b), (b, a) })
        {
            if (_nodes.TryGetValue(self, out var node) && node.Membership.Find(other) is { } peer)
            {
                events.Add(() => node.Disconnected(peer, reason));
            }
        }
    }

    private static (NodeId, NodeId) Ordered(NodeId a, NodeId b) => a.Value < b.Value ? (a, b) : (b, a);

    private static void Run(List<Action> events)
    {
        foreach (var raise in events)
        {
            raise();
        }
    }
}
