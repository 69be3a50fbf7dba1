using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>
/// One event of the store's history log (<see cref="MvccStore"/>), kept compact: the new version
/// is either the packed record that the put created (<see cref="LiveRecord"/>) or the version's
/// <see cref="KeyValue"/>. <see cref="ToEvent"/> makes the <see cref="Event"/> a replay hands out.
/// </summary>
/// <remarks>
/// Why not the <see cref="Event"/> objects themselves: a put that creates a key leaves no
/// <see cref="KeyValue"/> in the index (the key is packed), so a logged <see cref="Event"/> kept an
/// event object and a <see cref="KeyValue"/> alive per change, 120 bytes, next to the 24 of this
/// struct. A bulk load in txns of 128 puts keeps up to 2 × compact_revisions × 128 events until
/// automatic compaction (about 230,000 at 1,000,000 keys, 28 MB; docs/benchmarks.md). The record
/// is immutable, so the event made from it later is the one the put produced.
/// </remarks>
internal readonly struct LoggedEvent
{
    // A byte[] (packed record of the new version) or the new version's KeyValue.
    private readonly object _kv;

    /// <summary>Logs <paramref name="e"/>; <paramref name="packed"/> is the record its <c>Kv</c> was made from, if any.</summary>
    public LoggedEvent(Event e, byte[]? packed)
    {
        _kv = packed ?? (object)e.Kv;
        Type = e.Type;
        PrevKv = e.PrevKv;
    }

    /// <summary>Logs an event whose new version is the packed record <paramref name="packed"/> (snapshot restore).</summary>
    public LoggedEvent(EventType type, byte[] packed, KeyValue? prevKv)
    {
        _kv = packed;
        Type = type;
        PrevKv = prevKv;
    }

    private LoggedEvent(object kv, EventType type)
    {
        _kv = kv;
        Type = type;
    }

    /// <summary>Put or delete.</summary>
    public EventType Type { get; }

    /// <summary>The previous version, or null.</summary>
    public KeyValue? PrevKv { get; }

    /// <summary>The event's revision (its new version's mod_revision).</summary>
    public long ModRevision => _kv is byte[] packed ? new LiveRecord(packed).ModRevision : ((KeyValue)_kv).ModRevision;

    /// <summary>The event's key.</summary>
    public ReadOnlyMemory<byte> Key => _kv is byte[] packed ? LiveRecord.KeyOf(packed) : ((KeyValue)_kv).Key;

    /// <summary>The same event without its previous version (compaction drops it at the compaction point).</summary>
    public LoggedEvent WithoutPrevKv() => new(_kv, Type);

    /// <summary>The event as handed out: a new object (and a new <see cref="KeyValue"/> for a packed version) per call.</summary>
    public Event ToEvent() => new()
    {
        Type = Type,
        Kv = _kv is byte[] packed ? new LiveRecord(packed).ToKeyValue() : (KeyValue)_kv,
        PrevKv = PrevKv,
    };
}
