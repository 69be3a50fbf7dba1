namespace AntiEtcd.Server.Cluster;

/// <summary>Which node dialled a peer connection (SPEC §10.3: two connections per pair of nodes, one dialled by each).</summary>
internal enum PeerDirection
{
    /// <summary>This node dialled the peer's URL; it carries this node's own Raft messages and requests.</summary>
    Outgoing = 1,

    /// <summary>The peer dialled this node; it carries the peer's messages, and replies to the peer's requests.</summary>
    Incoming = 2,
}
