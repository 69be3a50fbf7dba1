namespace AntiEtcd.Server.Cluster;

/// <summary>The life of one peer connection, as reported by <see cref="IPeerTransport.PeerStateChanged"/>.</summary>
internal enum PeerConnectionState
{
    /// <summary>
    /// The WebSocket is open. Outgoing connections report it before the handshake; incoming ones only once the
    /// handshake has named the peer, immediately before <see cref="Authenticated"/>.
    /// </summary>
    Connected = 1,

    /// <summary>The SPEC §10.3 handshake succeeded: frames on this connection are now accepted and attributed to the peer.</summary>
    Authenticated = 2,

    /// <summary>The connection ended (closed, failed, refused, replaced or shut down). Reported once per <see cref="Connected"/>.</summary>
    Disconnected = 3,
}
