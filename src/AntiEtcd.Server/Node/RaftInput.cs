using AntiEtcd.Raft;

namespace AntiEtcd.Server.Node;

/// <summary>One item of the Raft loop's inbox; which fields matter depends on <see cref="Kind"/>.</summary>
/// <param name="Kind">What to do.</param>
internal readonly record struct RaftInput(RaftInputKind Kind)
{
    /// <summary>Step: the message.</summary>
    public Message? Message { get; init; }

    /// <summary>Propose: the command. Snapshot: the state image.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>Propose: the <see cref="TaskCompletionSource{ProposeResult}"/> to complete.</summary>
    public object? Completion { get; init; }

    /// <summary>Snapshot: the applied index it reflects.</summary>
    public ulong Index { get; init; }

    /// <summary>Transfer: the new leader. Unreachable: the peer.</summary>
    public NodeId Peer { get; init; }
}
