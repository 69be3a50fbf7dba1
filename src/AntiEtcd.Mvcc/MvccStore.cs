using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>
/// The key-value state machine: an ordered byte-key index with revisions, history for reads at
/// old revisions and watch replay, txns, compaction and the key side of leases (SPEC §2, §4, §5).
/// </summary>
/// <remarks>
/// <para><b>Threading.</b> Not thread-safe and not meant to be: the store has exactly one owner
/// (the server's apply loop), which makes every call, reads included. It never blocks, never does
/// I/O, never reads a clock or a random source and never starts a task, so a sequence of calls
/// gives the same results on every node (SPEC §8.8).</para>
/// <para><b>Revisions.</b> <see cref="Revision"/> starts at 1; each call that changes something
/// takes exactly the next revision, shared by all its changes. A refused call changes nothing and
/// takes no revision. Responses carry <c>header.revision</c>; the other header fields are left 0
/// for the server to fill.</para>
/// <para><b>Ownership.</b> The store may keep the key and value memory of the requests it applies
/// (a new version of a key with retained history references the request's value until
/// compaction); the caller must not mutate it afterwards. A live key with no history is copied into
/// one exact-size array (<see cref="LiveRecord"/>), so a request's buffer is never kept for it.
/// The <see cref="KeyValue"/> and <see cref="Event"/> objects it hands out are shared with its
/// history and with other responses and are never mutated after they are handed out; callers must
/// treat them as immutable too.</para>
/// <para><b>Validation.</b> The server is expected to run <see cref="RequestValidator"/> before it
/// proposes a request; the store repeats those checks (with no txn op budget) so that a bad request
/// can never corrupt it, then makes the store-dependent checks.</para>
/// </remarks>
public sealed partial class MvccStore
{
    private static readonly Event[] NoEvents = [];

    /// <summary>
    /// Each entry is a live key with no retained history, packed as one <c>byte[]</c> (see
    /// <see cref="LiveRecord"/>; the entry's key is a slice of it), or a <see cref="KeyHistory"/>.
    /// </summary>
    private KeyIndex<object> _index = new();

    private long _revision = 1;
    private long _compactRevision;
    private long _keyCount;
    private long _sizeBytes;
    private IReadOnlyList<Event> _lastEvents = NoEvents;

    // State of the write being applied (a put, delete, txn or revoke): every change uses
    // _writeRevision and appends its event to _writeEvents.
    private long _writeRevision;
    private List<Event>? _writeEvents;

    /// <summary>Creates an empty store at revision 1 with compaction point 0 (SPEC §2.2, §2.5).</summary>
    public MvccStore()
    {
    }

    /// <summary>The current revision: 1 when empty, +1 per change (SPEC §2.2).</summary>
    public long Revision => _revision;

    /// <summary>The compaction point: reads at revisions ≥ it work, and history from it is kept (SPEC §2.5).</summary>
    public long CompactRevision => _compactRevision;

    /// <summary>The number of live keys.</summary>
    public long KeyCount => _keyCount;

    /// <summary>
    /// An estimate of the data held, for status <c>dbSizeInUse</c>: the key and value bytes of every
    /// retained version (live keys and history; a tombstone counts its key).
    /// </summary>
    public long EstimatedSizeBytes => _sizeBytes;

    /// <summary>
    /// The events of the most recent call to <see cref="Put"/>, <see cref="DeleteRange"/>,
    /// <see cref="Txn"/>, <see cref="LeaseRevoke"/>, <see cref="LeaseGrant"/> or
    /// <see cref="Compact"/>, in the order the changes were applied (key order within a delete or a
    /// revoke). Empty when that call changed nothing or was refused. <see cref="Range"/> and the
    /// queries leave it as it is.
    /// </summary>
    /// <remarks>
    /// A new list per call: a reference taken earlier keeps its content. For a delete, the event's
    /// <c>Kv</c> has only the key and the delete's revision as mod_revision. <c>PrevKv</c> is the
    /// key's previous version whenever there was one; the watch layer decides whether to send it.
    /// </remarks>
    public IReadOnlyList<Event> LastEvents => _lastEvents;

    /// <summary>The live version of a key at the newest state, or null.</summary>
    /// <remarks>For a packed record this materializes a new <see cref="KeyValue"/> aliasing it.</remarks>
    private static KeyValue? Current(object record) => record switch
    {
        byte[] live => new LiveRecord(live).ToKeyValue(),
        KeyHistory history => KeyHistory.IsTombstone(history.Latest) ? null : history.Latest,
        _ => null,
    };

    /// <summary>The live version of a key at <paramref name="revision"/>, or null.</summary>
    /// <remarks>
    /// A packed record has no retained predecessor, so the key did not exist before its
    /// mod_revision at any readable revision (an older version would have been kept, unless it was
    /// superseded at or before the compaction point).
    /// </remarks>
    private static KeyValue? At(object record, long revision) => record switch
    {
        byte[] live => new LiveRecord(live) is var r && r.ModRevision <= revision ? r.ToKeyValue() : null,
        KeyHistory history => history.At(revision),
        _ => null,
    };

    /// <summary>Packs a live version with no history into the index entry under the cursor.</summary>
    /// <remarks>
    /// The entry's key becomes a slice of the new record, so that no older array (a replaced
    /// record, a request's buffer) stays reachable through the index key.
    /// </remarks>
    private static void SetLive(KeyIndex<object>.Cursor cursor, KeyValue kv)
    {
        var record = LiveRecord.Encode(kv);
        cursor.SetEntry(LiveRecord.KeyOf(record), record);
    }

    /// <summary>Adds a new key with a single live version, packed (see <see cref="LiveRecord"/>).</summary>
    private void AddLive(KeyValue kv)
    {
        var record = LiveRecord.Encode(kv);
        _index.TryAdd(LiveRecord.KeyOf(record), record);
    }

    /// <summary>The live version of <paramref name="key"/> now, or null.</summary>
    private KeyValue? GetCurrent(ReadOnlySpan<byte> key) =>
        _index.TryGetValue(key, out var record) ? Current(record) : null;

    private void BeginWrite()
    {
        _lastEvents = NoEvents;
        _writeRevision = _revision + 1;
        _writeEvents = null;
    }

    /// <summary>Ends a write: takes the revision and publishes the events when something changed.</summary>
    private bool EndWrite()
    {
        var events = _writeEvents;
        _writeEvents = null;
        if (events is null)
        {
            return false;
        }

        _revision = _writeRevision;
        _lastEvents = events;
        return true;
    }

    /// <summary>Publishes an event of the write being applied and logs it.</summary>
    /// <param name="e">The event.</param>
    /// <param name="packed">The packed record the event's <c>Kv</c> aliases, when the write created one.</param>
    private void RecordEvent(Event e, byte[]? packed = null)
    {
        (_writeEvents ??= []).Add(e);
        AppendToLog(new LoggedEvent(e, packed));
    }
}
