namespace AntiEtcd.Storage;

/// <summary>A snapshot file on disk, known by its name (not yet verified).</summary>
/// <param name="Index">The last log index the snapshot covers.</param>
/// <param name="Term">The term of that index.</param>
/// <param name="FilePath">The snapshot file.</param>
public sealed record SnapshotInfo(ulong Index, ulong Term, string FilePath);
