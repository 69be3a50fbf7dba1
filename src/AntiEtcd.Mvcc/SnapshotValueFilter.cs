namespace AntiEtcd.Mvcc;

/// <summary>
/// The value a snapshot stores for one retained version of <paramref name="key"/> (SPEC §9.4's
/// persisted form): <paramref name="value"/> itself, a replacement, or null when the version is
/// volatile and must not be stored.
/// </summary>
/// <param name="key">The key.</param>
/// <param name="value">The value in memory.</param>
/// <returns>The value to store, or null for a volatile version.</returns>
public delegate ReadOnlyMemory<byte>? SnapshotValueFilter(ReadOnlySpan<byte> key, ReadOnlyMemory<byte> value);
