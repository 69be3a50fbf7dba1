using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using AntiEtcd.Raft;
using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Cluster;

/// <summary>
/// The peer transport over WebSockets (SPEC §10.3, docs/cluster-transport.md): one outgoing connection per
/// peer, dialled by a <see cref="PeerSender"/>, and the incoming connections accepted by <see cref="Listener"/>.
/// </summary>
/// <remarks>
/// See <see cref="IPeerTransport"/> for the delivery, attribution and threading contract. Each peer has its own
/// bounded send queue and its own connection task, so a slow or dead peer never delays the others.
/// </remarks>
internal sealed partial class WebSocketPeerTransport : IPeerTransport
{
    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(1);

    private readonly Dictionary<NodeId, PeerSender> _senders = [];
    private readonly Channel<PeerMessage> _received;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly ConcurrentDictionary<long, PeerSocket> _sockets = new();
    private readonly ConcurrentDictionary<long, Task> _incoming = new();
    private readonly LogRateLimiter _failureLogLimiter;
    private readonly List<Task> _senderLoops = [];
    private readonly TaskCompletionSource _socketsClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextConnectionId;
    private long _handshakeFailures;
    private int _started;
    private int _disposed;

    /// <summary>Creates the transport; nothing is dialled before <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentException">The membership is unusable (see <see cref="ClusterMembership"/>).</exception>
    public WebSocketPeerTransport(PeerTransportOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Logger = logger;
        Membership = new ClusterMembership(options.NodeName, options.Cluster);
        _received = Channel.CreateBounded<PeerMessage>(new BoundedChannelOptions(options.ReceiveQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _failureLogLimiter = new LogRateLimiter(options.TimeProvider, FailureLogInterval);
        foreach (var peer in Membership.Peers)
        {
            _senders.Add(peer.Id, new PeerSender(this, peer));
        }

        Listener = new PeerListener(this);
        if (ClusterKey.IsShort(options.ClusterKey.Span))
        {
            ClusterLog.ShortClusterKey(logger, ClusterKey.RecommendedMinimumBytes);
        }
    }

    /// <inheritdoc/>
    public event EventHandler<PeerStateChangedEventArgs>? PeerStateChanged;

    /// <summary>Accepts incoming peer connections; the HTTP handler hands <c>/antietcd/peer</c> upgrades to it.</summary>
    public PeerListener Listener { get; }

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

    internal ILogger Logger { get; }

    internal TimeProvider Time => Options.TimeProvider;

    internal CancellationToken Lifetime => _lifetime.Token;

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The peer transport is already started.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_senderLoops)
        {
            foreach (var sender in _senders.Values)
            {
                _senderLoops.Add(Task.Run(sender.RunAsync, CancellationToken.None));
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Send(NodeId to, IReadOnlyList<Message> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        SenderOf(to).Enqueue(messages);
    }

    /// <inheritdoc/>
    public Action<PeerFrameReceived>? FrameHandler { get; set; }

    /// <inheritdoc/>
    public long SendFrame(NodeId to, byte[] frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return SenderOf(to).SendFrame(frame);
    }

    /// <inheritdoc/>
    public PeerCounters GetCounters(NodeId peer) => SenderOf(peer).Counters;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Tell every peer first (1001 going away), so they redial at once rather than wait for a keepalive.
        var closes = new List<Task>();
        foreach (var socket in _sockets.Values)
        {
            closes.Add(socket.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "node shutting down"));
        }

        await Task.WhenAll(closes).ConfigureAwait(false);
        Task[] loops;
        lock (_senderLoops)
        {
            loops = [.. _senderLoops, .. _incoming.Values];
        }

        // Give the peers a moment to answer the closes (a clean TCP end), then cut whatever is left,
        // dials in progress included.
        if (!_sockets.IsEmpty)
        {
            using var grace = new CancellationTokenSource(ShutdownGrace, Time);
            await _socketsClosed.Task.WaitAsync(grace.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(loops).ConfigureAwait(false);
        _received.Writer.TryComplete();
        _lifetime.Dispose();
    }

    internal PeerSender SenderOf(NodeId peer) =>
        _senders.TryGetValue(peer, out var sender) ? sender : throw new ArgumentException($"{peer} is not a peer of this node.", nameof(peer));

    internal long NextConnectionId() => Interlocked.Increment(ref _nextConnectionId);

    internal void Track(PeerSocket socket) => _sockets[socket.Id] = socket;

    internal void Untrack(PeerSocket socket)
    {
        _sockets.TryRemove(socket.Id, out _);
        if (IsDisposed && _sockets.IsEmpty)
        {
            _socketsClosed.TrySetResult();
        }
    }

    internal bool TrackIncoming(long id, Task run)
    {
        _incoming[id] = run;
        return !IsDisposed;
    }

    internal void UntrackIncoming(long id) => _incoming.TryRemove(id, out _);

    /// <summary>Counts and logs (rate-limited) a refused handshake.</summary>
    internal void HandshakeFailed(ClusterMember? peer, string address, string reason)
    {
        Interlocked.Increment(ref _handshakeFailures);
        if (_failureLogLimiter.Allow(address + "\n" + reason))
        {
            if (peer is null)
            {
                ClusterLog.IncomingRefused(Logger, address, reason);
            }
            else
            {
                ClusterLog.OutgoingRefused(Logger, peer.Name, address, reason);
            }
        }
    }

    /// <summary>Whether a rate-limited line with <paramref name="key"/> may be logged now.</summary>
    internal bool AllowLog(string key) => _failureLogLimiter.Allow(key);

    /// <summary>Logs SPEC §10.3's <c>peer &lt;id&gt;: setting &lt;name&gt; differs</c> (rate-limited per peer and setting).</summary>
    internal void LogSettingDiffers(string peerName, (string Name, string Ours, string Theirs) difference)
    {
        if (_failureLogLimiter.Allow("setting\n" + peerName + "\n" + difference.Name))
        {
            ClusterLog.SettingDiffers(Logger, peerName, difference.Name, difference.Ours, difference.Theirs);
        }
    }

    /// <summary>Raises <see cref="PeerStateChanged"/> and writes the <c>cluster</c> log line.</summary>
    internal void Raise(ClusterMember peer, PeerDirection direction, PeerConnectionState state, PeerSocket socket, string? reason = null)
    {
        if (Options.LogCluster)
        {
            var directionText = direction == PeerDirection.Outgoing ? "outgoing" : "incoming";
            if (state == PeerConnectionState.Authenticated)
            {
                ClusterLog.Connected(Logger, peer.Name, directionText, socket.RemoteAddress);
            }
            else if (state == PeerConnectionState.Disconnected)
            {
                ClusterLog.Disconnected(Logger, peer.Name, directionText, socket.RemoteAddress, reason ?? "closed");
            }
        }

        try
        {
            PeerStateChanged?.Invoke(this, new PeerStateChangedEventArgs(peer.Id, peer.Name, direction, state, socket.Id, reason));
        }
#pragma warning disable CA1031 // A subscriber's bug must not kill a connection loop.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ClusterLog.EventHandlerFailed(Logger, e);
        }
    }
}
