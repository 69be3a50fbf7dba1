using AntiEtcd.Raft;

namespace AntiEtcd.Server.Cluster;

/// <summary>A change in the state of one peer connection.</summary>
/// <param name="peer">The peer's member ID.</param>
/// <param name="peerName">The peer's node_id.</param>
/// <param name="direction">Which node dialled the connection.</param>
/// <param name="state">The new state.</param>
/// <param name="connectionId">Identifies the connection, so a replaced incoming connection's late
/// <see cref="PeerConnectionState.Disconnected"/> can be told apart from its successor's events.</param>
/// <param name="reason">Why a connection ended; null otherwise.</param>
internal sealed class PeerStateChangedEventArgs(NodeId peer, string peerName, PeerDirection direction, PeerConnectionState state, long connectionId, string? reason)
    : EventArgs
{
    /// <summary>The peer's member ID.</summary>
    public NodeId Peer { get; } = peer;

    /// <summary>The peer's node_id.</summary>
    public string PeerName { get; } = peerName;

    /// <summary>Which node dialled the connection.</summary>
    public PeerDirection Direction { get; } = direction;

    /// <summary>The new state.</summary>
    public PeerConnectionState State { get; } = state;

    /// <summary>A number unique within the transport for the connection this event is about.</summary>
    public long ConnectionId { get; } = connectionId;

    /// <summary>Why the connection ended (<see cref="PeerConnectionState.Disconnected"/> only).</summary>
    public string? Reason { get; } = reason;

    /// <inheritdoc/>
    public override string ToString() => $"{PeerName} {Direction} #{ConnectionId} {State}{(Reason is null ? "" : ": " + Reason)}";
}
