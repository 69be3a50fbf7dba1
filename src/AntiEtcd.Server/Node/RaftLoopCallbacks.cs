using AntiEtcd.Raft;

namespace AntiEtcd.Server.Node;

/// <summary>What the <see cref="RaftLoop"/> hands to the rest of the node. Every callback runs on the Raft loop and must only hand work off.</summary>
internal sealed class RaftLoopCallbacks
{
    /// <summary>Committed entries, in order, for the apply loop.</summary>
    public required Action<IReadOnlyList<Entry>> Apply { get; init; }

    /// <summary>A leader's snapshot to install in place of the whole state.</summary>
    public required Action<Snapshot> InstallSnapshot { get; init; }

    /// <summary>The role, term or leader changed.</summary>
    public required Action<RaftStatus> StateChanged { get; init; }

    /// <summary>The loop failed (storage): the node must stop (SPEC §9.2).</summary>
    public required Action<Exception> Failed { get; init; }

    /// <summary>
    /// A complete leader has incomplete followers (SPEC §9.4): take a snapshot at an applied index of at least this one and
    /// hand it over with <see cref="RaftLoop.SnapshotTaken"/> for them.
    /// </summary>
    public Action<ulong>? SnapshotWanted { get; init; }

    /// <summary>Entries kept in the log behind a snapshot, for followers that are a little behind.</summary>
    public ulong CatchUpEntries { get; init; } = 5000;
}
