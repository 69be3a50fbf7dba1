namespace AntiEtcd.Mvcc;

/// <summary>A granted lease: its ID, granted TTL and the live keys attached to it, in key order.</summary>
/// <remarks>Deadlines are not here: only the leader tracks them, outside the store (SPEC §8.6).</remarks>
internal sealed class LeaseRecord
{
    public LeaseRecord(long id, long ttl)
    {
        Id = id;
        Ttl = ttl;
    }

    /// <summary>The lease ID (&gt; 0).</summary>
    public long Id { get; }

    /// <summary>The granted TTL in seconds, as decided by the proposer (SPEC §8.8).</summary>
    public long Ttl { get; }

    /// <summary>Attached keys; created on first attach, because many leases never get keys.</summary>
    public SortedSet<ReadOnlyMemory<byte>>? Keys { get; set; }
}
