namespace AntiEtcd.Raft;

/// <summary>A state-machine snapshot: replaces the log prefix up to <see cref="SnapshotMetadata.Index"/>.</summary>
/// <remarks>The core never looks inside <paramref name="Data"/>; it only moves it between storage, transport and application.</remarks>
/// <param name="Metadata">The position of the snapshot in the log.</param>
/// <param name="Data">The serialized state machine, opaque to Raft.</param>
public sealed record Snapshot(SnapshotMetadata Metadata, ReadOnlyMemory<byte> Data)
{
    /// <summary>The index of the last entry the snapshot covers.</summary>
    public ulong Index => Metadata.Index;

    /// <summary>The term of that entry.</summary>
    public ulong Term => Metadata.Term;

    /// <summary>
    /// The data is a persisted form that may lack volatile data (SPEC §9.4): a node that installs it is incomplete.
    /// Only an incomplete node's snapshots, read back from its disk, are filtered; the core only carries the mark.
    /// </summary>
    public bool Filtered { get; init; }
}
