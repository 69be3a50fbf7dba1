using AntiEtcd.Raft;

namespace AntiEtcd.Server.Cluster;

/// <summary>A Raft message received from a peer.</summary>
/// <param name="From">
/// The peer the message came from, as authenticated by its connection (SPEC §10.3). The transport also writes it
/// into <see cref="Message.From"/>: a node ID inside a message is never trusted.
/// </param>
/// <param name="Message">The message; its buffers alias the received frame and must not be modified.</param>
internal readonly record struct PeerMessage(NodeId From, Message Message);
