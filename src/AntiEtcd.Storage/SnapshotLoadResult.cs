namespace AntiEtcd.Storage;

/// <summary>The result of <see cref="SnapshotStore.LoadNewestValid"/>.</summary>
/// <param name="Snapshot">The newest snapshot that is valid and accepted, or null if there is none.</param>
/// <param name="Warnings">One message per newer snapshot that was skipped, naming the file and why, for the caller to log.</param>
public sealed record SnapshotLoadResult(StoredSnapshot? Snapshot, IReadOnlyList<string> Warnings);
