namespace AntiEtcd.Storage;

/// <summary>One record read back from the WAL.</summary>
/// <remarks>
/// <see cref="Payload"/> is a slice of a buffer that belongs to the recovery result; nothing else writes to it, so the
/// caller may keep it (for example as the data of a Raft entry) without copying.
/// </remarks>
/// <param name="Kind">The record kind.</param>
/// <param name="Index">The log index (0 for <see cref="RecordKind.HardState"/>).</param>
/// <param name="Payload">The caller's bytes, exactly as appended.</param>
public readonly record struct WalRecord(RecordKind Kind, ulong Index, ReadOnlyMemory<byte> Payload);
