namespace AntiEtcd.Server.Cluster;

/// <summary>The kind of a binary peer frame, byte 1 of the envelope (docs/cluster-transport.md §3).</summary>
/// <remarks>
/// The values go on the wire: they are frozen (a golden test checks them). Add new kinds at the end.
/// <see cref="ReadIndexRequest"/> and <see cref="ReadIndexReply"/> are reserved (read index travels as Raft
/// messages); they were set aside so such traffic could share the connection without a protocol version bump.
/// </remarks>
internal enum PeerFrameType : byte
{
    /// <summary>One or more TinyRaft messages, in order.</summary>
    RaftBatch = 1,

    /// <summary>A client request forwarded by a follower to the leader (SPEC §8.5).</summary>
    ForwardRequest = 2,

    /// <summary>The leader's reply to a <see cref="ForwardRequest"/>, on the connection it came in on.</summary>
    ForwardReply = 3,

    /// <summary>Reserved: a follower's read-index request outside Raft messages.</summary>
    ReadIndexRequest = 4,

    /// <summary>Reserved: the reply to a <see cref="ReadIndexRequest"/>.</summary>
    ReadIndexReply = 5,

    /// <summary>
    /// One piece of a <see cref="RaftBatch"/> payload too large for one frame (SPEC §10.4: a snapshot, a volatile
    /// reset, an import). The pieces of one transfer go consecutively on one connection (<see cref="PeerChunk"/>).
    /// </summary>
    RaftChunk = 6,

    /// <summary>
    /// Several <see cref="ForwardRequest"/> or <see cref="ForwardReply"/> frames that one connection had queued at once,
    /// in one message (<see cref="Cluster.ForwardBatch"/>); the receiver handles each as if it had come alone.
    /// </summary>
    ForwardBatch = 7,
}
