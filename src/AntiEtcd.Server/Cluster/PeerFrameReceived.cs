using AntiEtcd.Raft;

namespace AntiEtcd.Server.Cluster;

/// <summary>A frame other than a Raft batch (a forwarded request or its reply), received on an authenticated connection.</summary>
/// <param name="From">The peer the connection authenticated as (SPEC §10.3): never a node ID written inside the frame.</param>
/// <param name="Type">The frame type.</param>
/// <param name="Payload">The payload after the envelope; it aliases a fresh receive buffer, never reused.</param>
/// <param name="Reply">Sends a whole frame back on the connection this one came in on (SPEC §10.3: replies go back on the
/// request's connection); false when that connection is gone. Never blocks.</param>
internal readonly record struct PeerFrameReceived(NodeId From, PeerFrameType Type, ReadOnlyMemory<byte> Payload, Func<byte[], bool> Reply);
