using AntiEtcd.Raft;

namespace AntiEtcd.Server.Cluster;

/// <summary>A message waiting in a peer's send queue, with its encoded size (computed once, at enqueue).</summary>
/// <param name="Message">The message.</param>
/// <param name="Size">Its size inside a frame, length prefix included.</param>
internal readonly record struct QueuedMessage(Message Message, int Size);
