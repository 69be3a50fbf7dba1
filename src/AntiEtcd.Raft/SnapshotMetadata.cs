namespace AntiEtcd.Raft;

/// <summary>Where a snapshot sits in the log, and the membership it was taken under.</summary>
/// <param name="Index">The index of the last entry the snapshot covers.</param>
/// <param name="Term">The term of that entry.</param>
/// <param name="Voters">
/// The voting members at <paramref name="Index"/>. Membership is static today; carrying it in the snapshot
/// keeps joint consensus possible later without a format change.
/// </param>
public sealed record SnapshotMetadata(ulong Index, ulong Term, IReadOnlyList<NodeId> Voters);
