using AntiEtcd.Api;

namespace AntiEtcd.Server.Node;

/// <summary>
/// One write as it is logged and applied: everything the store needs, decided before logging, so
/// that applying it reads no clock, option or random source (SPEC §8.8) and replays identically.
/// </summary>
/// <remarks>
/// Exactly the member named by <see cref="Type"/> is meaningful; the others keep their defaults.
/// Encoded by <see cref="CommandCodec"/>. A decoded command owns fresh arrays for every byte
/// field, which the store keeps; nobody may mutate them afterwards.
/// </remarks>
internal sealed class Command
{
    /// <summary>What the command does.</summary>
    public CommandType Type { get; init; }

    /// <summary>The put, for <see cref="CommandType.Put"/>.</summary>
    public PutRequest? Put { get; init; }

    /// <summary>The delete range, for <see cref="CommandType.DeleteRange"/>.</summary>
    public DeleteRangeRequest? DeleteRange { get; init; }

    /// <summary>The txn, for <see cref="CommandType.Txn"/>.</summary>
    public TxnRequest? Txn { get; init; }

    /// <summary>The compaction revision, for <see cref="CommandType.Compact"/>; the file's <c>mod_revision</c>, for <see cref="CommandType.Import"/>.</summary>
    public long Revision { get; init; }

    /// <summary>The lease ID, for <see cref="CommandType.LeaseGrant"/> and <see cref="CommandType.LeaseRevoke"/>.</summary>
    public long LeaseId { get; init; }

    /// <summary>The effective TTL in seconds, decided before logging, for <see cref="CommandType.LeaseGrant"/>.</summary>
    public long Ttl { get; init; }

    /// <summary>
    /// The imported keys (key, value, create_revision, mod_revision, version; no lease), for
    /// <see cref="CommandType.Import"/>: the whole content of the file travels in the entry (SPEC §8.8).
    /// </summary>
    public IReadOnlyList<KeyValue>? Keys { get; init; }

    /// <summary>
    /// The leases (ID, granted TTL), for <see cref="CommandType.VolatileReset"/>; its
    /// <see cref="Keys"/> carry their leases and <see cref="Revision"/> is the new revision.
    /// </summary>
    public IReadOnlyList<(long Id, long Ttl)>? Leases { get; init; }

    /// <summary>
    /// In a command's persisted form only (SPEC §9.4): the puts the persist filter made volatile,
    /// stored with an empty value. Null when there are none. Compared by reference.
    /// </summary>
    public IReadOnlySet<PutRequest>? VolatilePuts { get; init; }

    /// <summary>
    /// This is a persisted form in which the persist filter replaced or dropped something (SPEC §9.4): a node that
    /// applies it lacks data the cluster may have, so it becomes incomplete. Carried in the encoding (type bit 0x80).
    /// </summary>
    public bool Filtered { get; init; }
}
