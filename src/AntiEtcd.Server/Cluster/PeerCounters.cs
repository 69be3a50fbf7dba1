namespace AntiEtcd.Server.Cluster;

/// <summary>Traffic counters of one peer since the transport started (for metrics and tests).</summary>
/// <param name="MessagesSent">Raft messages written to the peer.</param>
/// <param name="FramesSent">Frames (batches) written to the peer; fewer than messages when batching works.</param>
/// <param name="MessagesDropped">Messages discarded: send queue overflow, a message too large for a frame, or
/// (in-memory transport) no connection.</param>
/// <param name="MessagesReceived">Raft messages received from the peer and delivered.</param>
/// <param name="FramesReceived">Frames received from the peer.</param>
internal readonly record struct PeerCounters(long MessagesSent, long FramesSent, long MessagesDropped, long MessagesReceived, long FramesReceived);
