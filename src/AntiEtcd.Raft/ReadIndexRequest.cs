namespace AntiEtcd.Raft;

/// <summary>A read-index request the leader is confirming with a heartbeat round (Raft thesis §6.4).</summary>
internal sealed class ReadIndexRequest(NodeId from, ReadOnlyMemory<byte> context, ulong index)
{
    public NodeId From { get; } = from;

    public ReadOnlyMemory<byte> Context { get; } = context;

    /// <summary>The leader's commit index when the request arrived.</summary>
    public ulong Index { get; } = index;

    public HashSet<NodeId> Acks { get; } = [];
}
