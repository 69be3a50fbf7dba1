using AntiEtcd.Mvcc;

namespace AntiEtcd.Server.Node;

/// <summary>The fate of a proposal at its log index, and for an applied one the result of applying it.</summary>
/// <param name="Kind">Applied, lost or unknown.</param>
/// <param name="Status">The store's verdict (Applied only).</param>
/// <param name="Response">The response DTO (Applied and <see cref="MvccStatus.Ok"/> only).</param>
/// <param name="CompactRevision">The store's compact revision after applying, for a compacted error.</param>
internal readonly record struct ApplyOutcome(ApplyOutcomeKind Kind, MvccStatus Status, object? Response, long CompactRevision);
