using System.Threading.Channels;
using AntiEtcd.Raft;

namespace AntiEtcd.Server.Cluster;

/// <summary>
/// The network between cluster nodes as the Raft loop sees it (DESIGN §6): fire-and-forget sends to a peer by
/// member ID, and a stream of received messages attributed to the peer that authenticated the connection.
/// </summary>
/// <remarks>
/// <para><b>Delivery.</b> At most once, in order per peer while one connection lasts, with no guarantee across
/// reconnects. Messages may be dropped (queue overflow, a dead peer, a reconnect): Raft retransmits, so loss
/// is safe; a duplicate is never produced by the transport.</para>
/// <para><b>Attribution.</b> <see cref="PeerMessage.From"/> is the member the connection authenticated as;
/// <see cref="Message.From"/> is overwritten with it, and a message addressed to another node is dropped.</para>
/// <para><b>Threading.</b> <see cref="Send"/> is thread-safe and never blocks: it only enqueues.
/// <see cref="Received"/> has one intended reader (the Raft loop). <see cref="PeerStateChanged"/> handlers run on
/// connection tasks, must be fast and must not call back into the transport synchronously; exceptions they throw
/// are logged and swallowed.</para>
/// <para><b>Lifetime.</b> Nothing is dialled before <see cref="StartAsync"/>; <see cref="IAsyncDisposable.DisposeAsync"/>
/// closes every connection, completes <see cref="Received"/> and awaits all background work.</para>
/// </remarks>
internal interface IPeerTransport : IAsyncDisposable
{
    /// <summary>This node's member ID.</summary>
    NodeId LocalId { get; }

    /// <summary>Every other member, in node_id order.</summary>
    IReadOnlyList<ClusterMember> Peers { get; }

    /// <summary>Messages from peers, in arrival order per connection. Completed when the transport is disposed.</summary>
    ChannelReader<PeerMessage> Received { get; }

    /// <summary>Handshakes that failed on either side (wrong key, cluster, settings, timeout, protocol violation).</summary>
    long HandshakeFailures { get; }

    /// <summary>Raised when a peer connection is connected, authenticated or disconnected.</summary>
    event EventHandler<PeerStateChangedEventArgs>? PeerStateChanged;

    /// <summary>Starts dialling every peer. Returns once the dialers run, not when they connect.</summary>
    /// <param name="cancellationToken">Cancels the start itself, not the transport's lifetime.</param>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Queues <paramref name="messages"/> for <paramref name="to"/>, in order; batching happens behind.</summary>
    /// <remarks>The messages and their buffers must not be modified afterwards. Never blocks; when the peer's
    /// queue is full the oldest queued messages are dropped.</remarks>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not a peer (unknown, or this node).</exception>
    void Send(NodeId to, IReadOnlyList<Message> messages);

    /// <summary>
    /// Receives every authenticated frame that is not a Raft batch (forwarded requests and their replies). Set once,
    /// before <see cref="StartAsync"/>; it runs on a connection's read loop, so it must only hand the work off.
    /// Without a handler such frames are dropped.
    /// </summary>
    Action<PeerFrameReceived>? FrameHandler { get; set; }

    /// <summary>
    /// Sends one whole frame to <paramref name="to"/> on this node's outgoing connection, if it is authenticated now;
    /// unlike <see cref="Send"/> the frame is never queued for a later connection.
    /// </summary>
    /// <returns>The connection's number (as in <see cref="PeerStateChanged"/>), or 0 when no authenticated outgoing
    /// connection exists: the frame was not sent.</returns>
    /// <exception cref="ArgumentException"><paramref name="to"/> is not a peer.</exception>
    long SendFrame(NodeId to, byte[] frame);

    /// <summary>The traffic counters of <paramref name="peer"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="peer"/> is not a peer.</exception>
    PeerCounters GetCounters(NodeId peer);
}
