namespace AntiEtcd.Storage;

/// <summary>A snapshot read back and verified (header, footer, CRC).</summary>
/// <remarks><see cref="Data"/> is a slice of a buffer owned by this object; nothing else writes to it.</remarks>
/// <param name="Index">The last log index the snapshot covers.</param>
/// <param name="Term">The term of that index.</param>
/// <param name="FilePath">The file it was read from.</param>
/// <param name="Data">The bytes given to <see cref="SnapshotStore.SaveAsync(ulong, ulong, ReadOnlyMemory{byte}, CancellationToken)"/>.</param>
public sealed record StoredSnapshot(ulong Index, ulong Term, string FilePath, ReadOnlyMemory<byte> Data);
