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

    /// <summary>Propose: the <see cref="Proposal"/> of a client write, or the <see cref="TaskCompletionSource{ProposeResult}"/> to complete.</summary>
    public object? Completion { get; init; }

    /// <summary>Snapshot: the image for the disk (the persisted form, SPEC §9.4), when it differs from <see cref="Data"/>.</summary>
    public ReadOnlyMemory<byte>? DiskData { get; init; }

    /// <summary>
    /// Snapshot: taken after a volatile reset, so the log before it, which may hold filtered entries, goes (SPEC §9.4).
    /// Completeness: the state is incomplete.
    /// </summary>
    public bool Flag { get; init; }

    /// <summary>Snapshot: taken for incomplete followers (<see cref="AntiEtcd.Raft.Ready.SnapshotWanted"/>).</summary>
    public bool ForIncompletePeers { get; init; }

    /// <summary>Snapshot: the applied index it reflects.</summary>
    public ulong Index { get; init; }

    /// <summary>Transfer: the new leader. Unreachable: the peer.</summary>
    public NodeId Peer { get; init; }
}
