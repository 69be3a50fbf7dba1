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
        var value = r.IgnoreValue ? previous!.Value : r.Value;
        var lease = r.IgnoreLease ? previous!.Lease : r.Lease;
        var createRevision = previous?.CreateRevision ?? revision;
        var version = (previous?.Version ?? 0) + 1;

        ReadOnlyMemory<byte> key;
        KeyValue kv;
        byte[]? created = null;
        switch (record)
        {
            case null:
                // A new key is packed (key and value copied into one array), so the index keeps
                // neither the request's buffers nor a KeyValue; the event's KeyValue aliases it.
                var packed = new LiveRecord(LiveRecord.Encode(r.Key.Span, value.Span, createRevision, revision, version, lease));
                key = packed.Key;
                _index.TryAdd(key, packed.Bytes);
                kv = packed.ToKeyValue();
                created = packed.Bytes;
                break;
            case byte[]:
                // The key gets a history. Its index key becomes an exact copy, so the replaced
                // record is freed once compaction drops the version that aliases it.
                key = previous!.Key.ToArray();
                kv = NewVersion(key, value, createRevision, revision, version, lease);
                cursor.SetEntry(key, new KeyHistory(previous, kv));
                break;
            default:
                // Reuse the stored key memory so the request's buffer is not kept alive by the index.
                key = cursor.Key;
                kv = NewVersion(key, value, createRevision, revision, version, lease);
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

        RecordEvent(new Event { Type = EventType.Put, Kv = kv, PrevKv = previous }, created);
        return new PutResponse
        {
            Header = new ResponseHeader { Revision = revision },
            PrevKv = r.PrevKv ? previous : null,
        };
    }

    /// <summary>A version's <see cref="KeyValue"/>; also what <see cref="LiveRecord"/> materializes.</summary>
    internal static KeyValue NewVersion(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, long createRevision, long modRevision, long version, long lease) => new()
    {
        Key = key,
        CreateRevision = createRevision,
        ModRevision = modRevision,
        Version = version,
        Value = value,
        Lease = lease,
    };

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

        KeyValue tombstone;
        if (record is KeyHistory history)
        {
            tombstone = new KeyValue { Key = previous.Key, ModRevision = _writeRevision };
            history.Add(tombstone);
        }
        else
        {
            // A packed record gets a history: the index key becomes an exact copy (see ApplyPut).
            var key = previous.Key.ToArray();
            tombstone = new KeyValue { Key = key, ModRevision = _writeRevision };
            cursor.SetEntry(key, new KeyHistory(previous, tombstone));
        }

        _keyCount--;
        _sizeBytes += previous.Key.Length;
        DetachFromLease(previous.Lease, previous.Key);
        RecordEvent(new Event { Type = EventType.Delete, Kv = tombstone, PrevKv = previous });
        return previous;
    }
}
