namespace AntiEtcd.Raft;

/// <summary>One entry of the replicated log.</summary>
/// <remarks>
/// <see cref="Data"/> is owned by whoever created the entry and is never modified afterwards; the core,
/// the storage and the transport may all hold references to the same buffer.
/// </remarks>
/// <param name="Term">The leader term in which the entry was created.</param>
/// <param name="Index">The position in the log, starting at 1.</param>
/// <param name="Type">Whether the entry is a command or a no-op.</param>
/// <param name="Data">The command bytes; empty for <see cref="EntryType.Empty"/>.</param>
public readonly record struct Entry(ulong Term, ulong Index, EntryType Type, ReadOnlyMemory<byte> Data)
{
    /// <summary>The size counted against <see cref="RaftConfig.MaxSizePerMessage"/>: the data plus a fixed header.</summary>
    public ulong Size => (ulong)Data.Length + 24;

    /// <inheritdoc/>
    public override string ToString() => Type == EntryType.Empty ? $"{Term}/{Index} noop" : $"{Term}/{Index} {Data.Length}B";
}
