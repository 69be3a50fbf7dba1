using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>The key side of leases: grant, revoke and attachments (SPEC §5.1, §5.2, §5.5).</summary>
public sealed partial class MvccStore
{
    private readonly SortedDictionary<long, LeaseRecord> _leases = [];

    /// <summary>The number of granted leases.</summary>
    public int LeaseCount => _leases.Count;

    /// <summary>
    /// Grants lease <paramref name="id"/> with TTL <paramref name="ttl"/> seconds. The caller has
    /// already chosen a positive ID and the effective TTL (SPEC §8.8); refused with
    /// <see cref="MvccStatus.LeaseAlreadyExists"/> when the ID is in use. Takes no revision.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is 0: the proposer must pick an ID.</exception>
    public MvccResult<LeaseGrantResponse> LeaseGrant(long id, long ttl)
    {
        _lastEvents = NoEvents;
        ArgumentOutOfRangeException.ThrowIfZero(id);
        if (id < 0)
        {
            return MvccResult<LeaseGrantResponse>.Fail(MvccStatus.LeaseIdNegative);
        }

        if (ttl > RequestValidator.MaxLeaseTtl)
        {
            return MvccResult<LeaseGrantResponse>.Fail(MvccStatus.LeaseTtlTooLarge);
        }

        if (!_leases.TryAdd(id, new LeaseRecord(id, ttl)))
        {
            return MvccResult<LeaseGrantResponse>.Fail(MvccStatus.LeaseAlreadyExists);
        }

        return MvccResult<LeaseGrantResponse>.Ok(new LeaseGrantResponse
        {
            Header = new ResponseHeader { Revision = _revision },
            Id = id,
            Ttl = ttl,
        });
    }

    /// <summary>
    /// Revokes a lease: removes it and deletes its keys at one new revision, with DELETE events in
    /// key order. A lease with no keys is removed without a revision change. ID 0 or an unknown
    /// ID is refused with <see cref="MvccStatus.LeaseNotFound"/> (SPEC §5.2).
    /// </summary>
    public MvccResult<LeaseRevokeResponse> LeaseRevoke(long id)
    {
        _lastEvents = NoEvents;
        if (!_leases.Remove(id, out var lease))
        {
            return MvccResult<LeaseRevokeResponse>.Fail(MvccStatus.LeaseNotFound);
        }

        if (lease.Keys is { Count: > 0 } keys)
        {
            BeginWrite();
            foreach (var key in keys)
            {
                var cursor = _index.Seek(key.Span);
                DeleteAtCursor(cursor);
            }

            EndWrite();
        }

        return MvccResult<LeaseRevokeResponse>.Ok(new LeaseRevokeResponse { Header = new ResponseHeader { Revision = _revision } });
    }

    /// <summary>Looks a lease up; <paramref name="grantedTtl"/> is its granted TTL in seconds.</summary>
    public bool TryGetLease(long id, out long grantedTtl)
    {
        if (_leases.TryGetValue(id, out var lease))
        {
            grantedTtl = lease.Ttl;
            return true;
        }

        grantedTtl = 0;
        return false;
    }

    /// <summary>The live keys attached to a lease, in key order; empty for an unknown lease (SPEC §5.4).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> GetLeaseKeys(long id)
    {
        if (!_leases.TryGetValue(id, out var lease) || lease.Keys is null)
        {
            return [];
        }

        var keys = new ReadOnlyMemory<byte>[lease.Keys.Count];
        lease.Keys.CopyTo(keys);
        return keys;
    }

    /// <summary>The IDs of all granted leases, ascending (SPEC §5.5).</summary>
    public IReadOnlyList<long> GetLeaseIds()
    {
        var ids = new long[_leases.Count];
        _leases.Keys.CopyTo(ids, 0);
        return ids;
    }

    private void AttachToLease(long id, ReadOnlyMemory<byte> key)
    {
        if (id == 0)
        {
            return;
        }

        // Checked before the write (CheckPut), so a missing lease here is a bug.
        var lease = _leases[id];

        // An exact copy: the key memory given may be a slice of a packed record (LiveRecord),
        // which a later put replaces while the key stays attached.
        (lease.Keys ??= new SortedSet<ReadOnlyMemory<byte>>(ByteKeyComparer.Instance)).Add(key.ToArray());
    }

    private void DetachFromLease(long id, ReadOnlyMemory<byte> key)
    {
        // During a revoke the lease is already gone; its keys are being deleted.
        if (id != 0 && _leases.TryGetValue(id, out var lease))
        {
            lease.Keys?.Remove(key);
        }
    }
}
