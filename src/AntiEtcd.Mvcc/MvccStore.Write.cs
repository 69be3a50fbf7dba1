using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>Put and delete range (SPEC §4.2, §4.3).</summary>
public sealed partial class MvccStore
{
    /// <summary>
    /// Applies a put. Refused (changing nothing) for a stateless error, an unknown lease
    /// (<see cref="MvccStatus.LeaseNotFound"/>) or <c>ignore_value</c>/<c>ignore_lease</c> on a
    /// missing key (<see cref="MvccStatus.KeyNotFound"/>), in that order (SPEC §4.2).
    /// </summary>
    /// <remarks>Always takes a new revision, even for an identical value (SPEC §14.1 item 5).</remarks>
    public MvccResult<PutResponse> Put(PutRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        _lastEvents = NoEvents;
        var status = RequestValidator.ValidatePut(r);
        if (status == MvccStatus.Ok)
        {
            status = CheckPut(r);
        }

        if (status != MvccStatus.Ok)
        {
            return MvccResult<PutResponse>.Fail(status);
        }

        BeginWrite();
        var response = ApplyPut(r);
        EndWrite();
        return MvccResult<PutResponse>.Ok(response);
    }

    /// <summary>
    /// Applies a delete range: every live key in the range is deleted at one new revision; nothing
    /// matched means no new revision and <c>deleted</c> 0 (SPEC §4.3).
    /// </summary>
    public MvccResult<DeleteRangeResponse> DeleteRange(DeleteRangeRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        _lastEvents = NoEvents;
        var status = RequestValidator.ValidateDeleteRange(r);
        if (status != MvccStatus.Ok)
        {
            return MvccResult<DeleteRangeResponse>.Fail(status);
        }

        BeginWrite();
        var response = ApplyDeleteRange(r);
        EndWrite();
        response.Header.Revision = _revision;
        return MvccResult<DeleteRangeResponse>.Ok(response);
    }

    /// <summary>The store-dependent checks of a put (SPEC §4.2 checks 4-5).</summary>
    private MvccStatus CheckPut(PutRequest r)
    {
        if (r.Lease != 0 && !_leases.ContainsKey(r.Lease))
        {
            return MvccStatus.LeaseNotFound;
        }

        if ((r.IgnoreValue || r.IgnoreLease) && GetCurrent(r.Key.Span) is null)
        {
            return MvccStatus.KeyNotFound;
        }

        return MvccStatus.Ok;
    }

    /// <summary>Writes a checked put at <see cref="_writeRevision"/>; the header carries that revision.</summary>
    private PutResponse ApplyPut(PutRequest r)
    {
        var revision = _writeRevision;
        var cursor = _index.Seek(r.Key.Span);
        var exists = cursor.IsAt(r.Key.Span);
        var record = exists ? cursor.Value : null;
        var previous = record is null ? null : Current(record);

        // Reuse the stored key memory so the request's buffer is not kept alive by the index.
        var key = exists ? cursor.Key : r.Key;
        var value = r.IgnoreValue ? previous!.Value : r.Value;
        var lease = r.IgnoreLease ? previous!.Lease : r.Lease;
        var kv = new KeyValue
        {
            Key = key,
            CreateRevision = previous?.CreateRevision ?? revision,
            ModRevision = revision,
            Version = (previous?.Version ?? 0) + 1,
            Value = value,
            Lease = lease,
        };

        switch (record)
        {
            case null:
                _index.TryAdd(key, kv);
                break;
            case KeyValue only:
                cursor.SetValue(new KeyHistory(only, kv));
                break;
            default:
                ((KeyHistory)record).Add(kv);
                break;
        }

        if (previous is null)
        {
            _keyCount++;
        }

        _sizeBytes += key.Length + value.Length;
        var previousLease = previous?.Lease ?? 0;
        if (previousLease != lease)
        {
            DetachFromLease(previousLease, key);
            AttachToLease(lease, key);
        }

        RecordEvent(new Event { Type = EventType.Put, Kv = kv, PrevKv = previous });
        return new PutResponse
        {
            Header = new ResponseHeader { Revision = revision },
            PrevKv = r.PrevKv ? previous : null,
        };
    }

    /// <summary>Deletes the live keys of a range at <see cref="_writeRevision"/>, in key order.</summary>
    /// <remarks>The header is left for the caller: it depends on what else the write changed.</remarks>
    private DeleteRangeResponse ApplyDeleteRange(DeleteRangeRequest r)
    {
        var range = KeyRange.Create(r.Key, r.RangeEnd);
        var response = new DeleteRangeResponse();
        if (range.IsEmpty)
        {
            return response;
        }

        List<KeyValue>? deleted = null;
        long count = 0;
        for (var cursor = _index.Seek(range.Start.Span); cursor.IsValid && !range.IsPastEnd(cursor.Key.Span); cursor.MoveNext())
        {
            var previous = DeleteAtCursor(cursor);
            if (previous is null)
            {
                continue;
            }

            count++;
            if (r.PrevKv)
            {
                (deleted ??= []).Add(previous);
            }
        }

        response.Deleted = count;
        if (deleted is not null)
        {
            response.PrevKvs = deleted;
        }

        return response;
    }

    /// <summary>
    /// Deletes the key under the cursor at <see cref="_writeRevision"/> if it is live, returning
    /// its previous version (null when it was already deleted). No structural change to the
    /// index, so the cursor stays valid.
    /// </summary>
    private KeyValue? DeleteAtCursor(KeyIndex<object>.Cursor cursor)
    {
        var record = cursor.Value;
        var previous = Current(record);
        if (previous is null)
        {
            return null;
        }

        var tombstone = new KeyValue { Key = previous.Key, ModRevision = _writeRevision };
        if (record is KeyHistory history)
        {
            history.Add(tombstone);
        }
        else
        {
            cursor.SetValue(new KeyHistory(previous, tombstone));
        }

        _keyCount--;
        _sizeBytes += previous.Key.Length;
        DetachFromLease(previous.Lease, previous.Key);
        RecordEvent(new Event { Type = EventType.Delete, Kv = tombstone, PrevKv = previous });
        return previous;
    }
}
