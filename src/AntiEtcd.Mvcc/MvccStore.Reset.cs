using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>The volatile reset of SPEC §9.4.</summary>
public sealed partial class MvccStore
{
    /// <summary>
    /// Replaces the whole state with <paramref name="keys"/> and <paramref name="leases"/> at
    /// <paramref name="revision"/>, which also becomes the compaction point: no history from
    /// before it can be read or watched (SPEC §9.4 volatile reset). Produces no event.
    /// </summary>
    /// <param name="keys">Live keys, in any order, each with its metadata and lease.</param>
    /// <param name="leases">Every lease (ID, granted TTL).</param>
    /// <param name="revision">The new revision; above every key's mod_revision and above the current revision.</param>
    /// <exception cref="ArgumentException">The keys or leases break a rule (an empty or duplicate
    /// key, a revision out of order, an unknown lease); nothing changed.</exception>
    public void Reset(IReadOnlyList<KeyValue> keys, IReadOnlyList<(long Id, long Ttl)> leases, long revision)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(leases);
        if (revision <= _revision)
        {
            throw new ArgumentException($"A reset must move the revision forward ({revision} ≤ {_revision}).", nameof(revision));
        }

        var granted = new SortedDictionary<long, LeaseRecord>();
        foreach (var (id, ttl) in leases)
        {
            if (id <= 0 || !granted.TryAdd(id, new LeaseRecord(id, ttl)))
            {
                throw new ArgumentException($"Lease {id} is not a positive, unique ID.", nameof(leases));
            }
        }

        var sorted = Sorted(keys);
        for (var i = 0; i < sorted.Length; i++)
        {
            var kv = sorted[i];
            if (kv.Key.IsEmpty || (i > 0 && kv.Key.Span.SequenceEqual(sorted[i - 1].Key.Span))
                || kv.Version < 1 || kv.CreateRevision < 1 || kv.CreateRevision > kv.ModRevision || kv.ModRevision >= revision
                || (kv.Lease != 0 && !granted.ContainsKey(kv.Lease)))
            {
                throw new ArgumentException($"Key {Describe(kv.Key)} cannot be restored by a reset.", nameof(keys));
            }
        }

        _index = new KeyIndex<object>();
        _leases.Clear();
        foreach (var (id, lease) in granted)
        {
            _leases.Add(id, lease);
        }

        _log.Clear();
        _logHead = 0;
        _keyCount = 0;
        _sizeBytes = 0;
        foreach (var kv in sorted)
        {
            AddLive(kv);
            _keyCount++;
            _sizeBytes += kv.Key.Length + kv.Value.Length;
            AttachToLease(kv.Lease, kv.Key);
        }

        _revision = revision;
        _compactRevision = revision;
        _lastEvents = NoEvents;
    }
}
