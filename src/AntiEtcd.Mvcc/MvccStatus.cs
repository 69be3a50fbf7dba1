namespace AntiEtcd.Mvcc;

/// <summary>
/// The outcome of a store operation or a request validation. Everything but <see cref="Ok"/> is
/// an expected refusal that the server maps to the SPEC §3.6 error of the same name.
/// </summary>
/// <remarks>A refused write changes nothing and takes no revision.</remarks>
public enum MvccStatus
{
    /// <summary>The operation was carried out.</summary>
    Ok = 0,

    /// <summary>Empty key (400 <c>etcdserver: key is not provided</c>).</summary>
    KeyNotProvided,

    /// <summary>An empty txn op, or <c>ignore_value</c>/<c>ignore_lease</c> on a missing key (400 <c>etcdserver: key not found</c>).</summary>
    KeyNotFound,

    /// <summary><c>ignore_value</c> with a non-empty value (400 <c>etcdserver: value is provided</c>).</summary>
    ValueProvided,

    /// <summary><c>ignore_lease</c> with a non-zero lease (400 <c>etcdserver: lease is provided</c>).</summary>
    LeaseProvided,

    /// <summary>A sort order or target outside its enum (400 <c>etcdserver: invalid sort option</c>).</summary>
    InvalidSortOption,

    /// <summary>A txn level with more entries than its op budget (400 <c>etcdserver: too many operations in txn request</c>).</summary>
    TooManyOperations,

    /// <summary>Conflicting writes in one txn branch (400 <c>etcdserver: duplicate key given in txn request</c>).</summary>
    DuplicateKey,

    /// <summary>Unknown lease, or lease 0 for a revoke (404 <c>etcdserver: requested lease not found</c>).</summary>
    LeaseNotFound,

    /// <summary>A revision below the compaction point (400 <c>etcdserver: mvcc: required revision has been compacted</c>).</summary>
    Compacted,

    /// <summary>A revision above the current one (400 <c>etcdserver: mvcc: required revision is a future revision</c>).</summary>
    FutureRevision,

    /// <summary>Grant with an ID in use (400 code 9 <c>etcdserver: lease already exists</c>).</summary>
    LeaseAlreadyExists,

    /// <summary>Grant with a negative ID (400 <c>etcdserver: lease ID must not be negative</c>).</summary>
    LeaseIdNegative,

    /// <summary>Grant with TTL above 9000000000 s (400 code 11 <c>etcdserver: too large lease TTL</c>).</summary>
    LeaseTtlTooLarge,
}
