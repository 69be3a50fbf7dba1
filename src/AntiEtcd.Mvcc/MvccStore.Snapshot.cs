using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>Snapshots of the whole state and the divergence hash (DESIGN §5, §8; docs/wal-format.md §8).</summary>
public sealed partial class MvccStore
{
    /// <summary>The store snapshot format this build writes and the only one it reads.</summary>
    public const byte SnapshotFormatVersion = 1;

    /// <summary>
    /// The format of an image written through a persist filter (SPEC §9.4): version 1's layout
    /// with filtered values, followed by the keys whose live version is volatile.
    /// </summary>
    public const byte FilteredSnapshotFormatVersion = 2;

    // Smallest encodings, for the up-front count checks: a lease is two varints; a key record a
    // length, one key byte, a version count and a two-varint tombstone; an event a type byte, a
    // length, one key byte and two varints.
    private const int MinLeaseSize = 2;
    private const int MinKeySize = 5;
    private const int MinEventSize = 5;

    /// <summary>
    /// Writes the whole state: revision, compact revision, every key's retained history (so reads
    /// at old revisions and watch replay from any retained revision work after a restore), the
    /// event log used by <see cref="TryGetHistory(long, out IReadOnlyList{Event})"/>, and the
    /// leases (ID and granted TTL; their attached keys are the live keys naming them). The format
    /// is described byte by byte in docs/wal-format.md §8.
    /// </summary>
    /// <remarks>
    /// Runs on the owner thread like every other call and does not change the store; to write the
    /// image elsewhere, <see cref="CaptureSnapshot"/> here and <see cref="SnapshotView.Write"/> there.
    /// Fields are written straight into 64 KiB spans of <paramref name="output"/>, and the image
    /// ends with the CRC32C of all the bytes before it. The output is deterministic: equal states
    /// give equal images.
    /// </remarks>
    public void WriteSnapshot(IBufferWriter<byte> output) => WriteSnapshot(output, null);

    /// <summary>
    /// Writes the state as <see cref="WriteSnapshot(IBufferWriter{byte})"/> does, with every
    /// retained value passed through <paramref name="filter"/> first (SPEC §9.4: the persisted
    /// form). A volatile version is written with an empty value, and a key whose live version is
    /// volatile is listed at the end of the image (format <see cref="FilteredSnapshotFormatVersion"/>),
    /// so that the reader knows which live values are missing.
    /// </summary>
    /// <param name="output">Where the image goes.</param>
    /// <param name="filter">The value filter; null writes format <see cref="SnapshotFormatVersion"/>.</param>
    public void WriteSnapshot(IBufferWriter<byte> output, SnapshotValueFilter? filter) => CaptureSnapshot().Write(output, filter);

    /// <summary>
    /// Captures the whole state for a snapshot image that <see cref="SnapshotView.Write"/> writes later, on any thread,
    /// while this store goes on changing: the image is the one <see cref="WriteSnapshot(IBufferWriter{byte}, SnapshotValueFilter?)"/>
    /// would have written now.
    /// </summary>
    /// <remarks>On the owner thread. O(keys + retained versions + events) reference copies; no key or value is copied.</remarks>
    public SnapshotView CaptureSnapshot()
    {
        var leases = new (long Id, long Ttl)[_leases.Count];
        var l = 0;
        foreach (var lease in _leases.Values)
        {
            leases[l++] = (lease.Id, lease.Ttl);
        }

        var records = new object[_index.Count];
        var r = 0;
        for (var cursor = _index.First(); cursor.IsValid; cursor.MoveNext())
        {
            if (cursor.Value is byte[] packed)
            {
                records[r++] = packed;
            }
            else
            {
                var history = (KeyHistory)cursor.Value;
                var versions = new KeyValue[history.Count];
                for (var i = 0; i < versions.Length; i++)
                {
                    versions[i] = history[i];
                }

                records[r++] = versions;
            }
        }

        var events = new LoggedEvent[_log.Count - _logHead];
        _log.CopyTo(_logHead, events, 0, events.Length);
        return new SnapshotView(_revision, _compactRevision, leases, records, events, _keyCount, _sizeBytes);
    }

    /// <summary>
    /// Rebuilds a store from an image written by <see cref="WriteSnapshot(IBufferWriter{byte})"/>. The result equals the
    /// original in every observable way (ranges at every retained revision, history, leases and
    /// their keys, counters); <see cref="LastEvents"/> starts empty.
    /// </summary>
    /// <remarks>
    /// The store gets fresh copies of every key and value; <paramref name="image"/> is not kept.
    /// Besides the checksum, every structural rule the store relies on is checked (key order,
    /// history order, revision bounds, leases of live keys, events naming retained versions), so a
    /// bad image can never produce a store that misbehaves later.
    /// </remarks>
    /// <exception cref="InvalidDataException">The image is truncated, corrupt or of an unknown
    /// version; the message says what and at which byte offset.</exception>
    public static MvccStore ReadSnapshot(ReadOnlySpan<byte> image) => ReadSnapshot(image, out _);

    /// <summary>
    /// Rebuilds a store as <see cref="ReadSnapshot(ReadOnlySpan{byte})"/> does, and gives the keys
    /// whose live version a persist filter made volatile (empty for an unfiltered image). Their
    /// live value in the store is empty: the caller decides what to do with them (SPEC §9.4).
    /// </summary>
    /// <exception cref="InvalidDataException">As <see cref="ReadSnapshot(ReadOnlySpan{byte})"/>;
    /// also a volatile key that is not a live key of the image.</exception>
    public static MvccStore ReadSnapshot(ReadOnlySpan<byte> image, out IReadOnlyList<ReadOnlyMemory<byte>> volatileKeys)
    {
        if (image.IsEmpty)
        {
            throw SnapshotReader.Corrupt(0, "empty image");
        }

        if (image[0] is not (SnapshotFormatVersion or FilteredSnapshotFormatVersion))
        {
            throw SnapshotReader.Corrupt(0, $"unknown format version {image[0]} (this build reads {SnapshotFormatVersion} and {FilteredSnapshotFormatVersion})");
        }

        if (image.Length < 1 + sizeof(uint))
        {
            throw SnapshotReader.Corrupt(image.Length, "truncated");
        }

        var body = image[..^sizeof(uint)];
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(image[^sizeof(uint)..]);
        var computed = Crc32C.Compute(body);
        if (stored != computed)
        {
            throw SnapshotReader.Corrupt(body.Length, $"checksum mismatch (stored {stored:x8}, computed {computed:x8})");
        }

        var reader = new SnapshotReader(body, 1);
        var store = new MvccStore();
        store.ReadState(ref reader);
        volatileKeys = image[0] == FilteredSnapshotFormatVersion ? store.ReadVolatileKeys(ref reader) : [];
        if (reader.Remaining != 0)
        {
            throw SnapshotReader.Corrupt(reader.Position, $"{reader.Remaining} unexpected bytes after the last event");
        }

        return store;
    }

    /// <summary>
    /// A 64-bit hash of the state at the current revision, for divergence checks between nodes
    /// (etcd's hashkv idea): <see cref="Revision"/>, every live key with its value,
    /// create_revision, mod_revision, version and lease, in key order, and every lease's ID and
    /// granted TTL. History, events and the compaction point are not included, so equal current
    /// states hash equal however they were reached.
    /// </summary>
    /// <remarks>
    /// Stable across runs, processes and machines (fixed constants, no per-process seed), so nodes
    /// can compare values. O(live data); allocates nothing.
    /// </remarks>
    public ulong HashKv()
    {
        var hasher = new StateHasher();
        hasher.Add(_revision);
        hasher.Add(_keyCount);
        for (var cursor = _index.First(); cursor.IsValid; cursor.MoveNext())
        {
            if (cursor.Value is byte[] packed)
            {
                var live = new LiveRecord(packed);
                HashVersion(ref hasher, live.Key.Span, live.Value.Span, live.CreateRevision, live.ModRevision, live.Version, live.Lease);
            }
            else if (Current(cursor.Value) is { } kv)
            {
                HashVersion(ref hasher, kv.Key.Span, kv.Value.Span, kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);
            }
        }

        hasher.Add(_leases.Count);
        foreach (var lease in _leases.Values)
        {
            hasher.Add(lease.Id);
            hasher.Add(lease.Ttl);
        }

        return hasher.Finish();
    }

    /// <summary>One live version into <see cref="HashKv"/>: the same fields in the same order, packed or not.</summary>
    private static void HashVersion(ref StateHasher hasher, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long createRevision, long modRevision, long version, long lease)
    {
        hasher.Add(key);
        hasher.Add(value);
        hasher.Add(createRevision);
        hasher.Add(modRevision);
        hasher.Add(version);
        hasher.Add(lease);
    }

    /// <summary>The trailing list of a filtered image: keys in ascending order, each a live key of the image.</summary>
    private List<ReadOnlyMemory<byte>> ReadVolatileKeys(ref SnapshotReader reader)
    {
        var keys = new List<ReadOnlyMemory<byte>>();
        var count = reader.ReadCount(2, "volatile key count");
        for (var i = 0; i < count; i++)
        {
            var offset = reader.Position;
            var key = reader.ReadBytes();
            if (!_index.TryGetValue(key, out var record) || Current(record) is null
                || (keys.Count > 0 && key.SequenceCompareTo(keys[^1].Span) <= 0))
            {
                throw SnapshotReader.Corrupt(offset, "volatile key is not a live key above the previous one");
            }

            // A copy: the caller may keep the list longer than the record it would alias.
            keys.Add(key.ToArray());
        }

        return keys;
    }

    private void ReadState(ref SnapshotReader reader)
    {
        _revision = reader.ReadVarint(1, long.MaxValue, "revision");
        _compactRevision = reader.ReadVarint(0, _revision, "compact revision");
        var leaseCount = reader.ReadCount(MinLeaseSize, "lease count");
        var keyCount = reader.ReadCount(MinKeySize, "key count");
        var eventCount = reader.ReadCount(MinEventSize, "event count");

        long previousId = 0;
        for (var i = 0; i < leaseCount; i++)
        {
            var id = reader.ReadVarint(previousId + 1, long.MaxValue, "lease ID (ascending, > 0)");
            var ttl = reader.ReadVarint();
            _leases.Add(id, new LeaseRecord(id, ttl));
            previousId = id;
        }

        Dictionary<long, List<ReadOnlyMemory<byte>>>? leaseKeys = null;
        ReadOnlyMemory<byte> previousKey = default;
        for (var i = 0; i < keyCount; i++)
        {
            var keyOffset = reader.Position;
            var keySpan = reader.ReadBytes();
            if (keySpan.IsEmpty || (i > 0 && keySpan.SequenceCompareTo(previousKey.Span) <= 0))
            {
                throw SnapshotReader.Corrupt(keyOffset, "key empty or not above the previous key");
            }

            var record = ReadRecord(ref reader, keySpan, out var key);
            _index.TryAdd(key, record);
            previousKey = key;

            if (Current(record) is { Lease: not 0 } live)
            {
                if (!_leases.ContainsKey(live.Lease))
                {
                    throw SnapshotReader.Corrupt(keyOffset, $"live key attached to lease {live.Lease}, which is not granted");
                }

                leaseKeys ??= [];
                if (!leaseKeys.TryGetValue(live.Lease, out var keys))
                {
                    keys = [];
                    leaseKeys.Add(live.Lease, keys);
                }

                keys.Add(key);
            }
        }

        if (leaseKeys is not null)
        {
            foreach (var (id, keys) in leaseKeys)
            {
                _leases[id].Keys = new SortedSet<ReadOnlyMemory<byte>>(keys, ByteKeyComparer.Instance);
            }
        }

        _log.Capacity = eventCount;
        var previousRevision = _compactRevision;
        for (var i = 0; i < eventCount; i++)
        {
            _log.Add(ReadEvent(ref reader, ref previousRevision));
        }

        Debug.Assert(_index.Count == keyCount, "keys are strictly ascending, so every TryAdd added one");
    }

    /// <summary>
    /// Reads one key's versions: a single live version, returned packed (<see cref="LiveRecord"/>),
    /// or a history of two or more. <paramref name="key"/> is the memory the index keeps for the key.
    /// </summary>
    private object ReadRecord(ref SnapshotReader reader, ReadOnlySpan<byte> keySpan, out ReadOnlyMemory<byte> key)
    {
        var countOffset = reader.Position;
        var count = reader.ReadCount(2, "version count");
        if (count == 0)
        {
            throw SnapshotReader.Corrupt(countOffset, "key with no version");
        }

        if (count == 1)
        {
            // The common case, read straight into its packed record: no KeyValue, no key copy.
            var offset = reader.Position;
            var modRevision = reader.ReadVarint(1, _revision, "mod_revision");
            var version = reader.ReadVarint(0, long.MaxValue, "version");
            if (version == 0)
            {
                // Alone, or older than the compaction point: compaction removes both.
                throw SnapshotReader.Corrupt(offset, "history starts with a tombstone the compaction point removes");
            }

            var createRevision = reader.ReadVarint(1, modRevision, "create_revision");
            var lease = reader.ReadVarint();
            var value = reader.ReadBytes();
            CheckVersionNumber(offset, version, createRevision, modRevision);
            var packed = LiveRecord.Encode(keySpan, value, createRevision, modRevision, version, lease);
            key = LiveRecord.KeyOf(packed);
            _sizeBytes += keySpan.Length + value.Length;
            _keyCount++;
            return packed;
        }

        key = keySpan.ToArray();
        KeyValue? previous = null;
        KeyHistory? history = null;
        for (var i = 0; i < count; i++)
        {
            var offset = reader.Position;
            var kv = ReadVersion(ref reader, key);
            if (previous is null)
            {
                // The oldest retained version: a tombstone there would be older than the
                // compaction point (a history has more than one version), and compaction removes it.
                if (KeyHistory.IsTombstone(kv) && kv.ModRevision <= _compactRevision)
                {
                    throw SnapshotReader.Corrupt(offset, "history starts with a tombstone the compaction point removes");
                }
            }
            else
            {
                CheckSuccessor(offset, previous, kv);
                if (history is null)
                {
                    history = new KeyHistory(previous, kv);
                }
                else
                {
                    history.Add(kv);
                }
            }

            if (!KeyHistory.IsTombstone(kv))
            {
                _sizeBytes += kv.Value.Length;
            }

            _sizeBytes += key.Length;
            previous = kv;
        }

        if (!KeyHistory.IsTombstone(previous!))
        {
            _keyCount++;
        }

        return history!;
    }

    private static void CheckVersionNumber(int offset, long version, long createRevision, long modRevision)
    {
        if (version > modRevision - createRevision + 1)
        {
            throw SnapshotReader.Corrupt(offset, $"version {version} impossible between revisions {createRevision} and {modRevision}");
        }
    }

    private KeyValue ReadVersion(ref SnapshotReader reader, ReadOnlyMemory<byte> key)
    {
        var offset = reader.Position;
        var modRevision = reader.ReadVarint(1, _revision, "mod_revision");
        var version = reader.ReadVarint(0, long.MaxValue, "version");
        if (version == 0)
        {
            return new KeyValue { Key = key, ModRevision = modRevision };
        }

        var createRevision = reader.ReadVarint(1, modRevision, "create_revision");
        var lease = reader.ReadVarint();
        var value = reader.ReadBytes();
        CheckVersionNumber(offset, version, createRevision, modRevision);
        return new KeyValue
        {
            Key = key,
            CreateRevision = createRevision,
            ModRevision = modRevision,
            Version = version,
            Value = value.IsEmpty ? default : value.ToArray(),
            Lease = lease,
        };
    }

    /// <summary>The rules between consecutive retained versions of one key.</summary>
    private void CheckSuccessor(int offset, KeyValue before, KeyValue kv)
    {
        if (kv.ModRevision <= before.ModRevision)
        {
            throw SnapshotReader.Corrupt(offset, "history not ascending");
        }

        if (kv.ModRevision <= _compactRevision)
        {
            throw SnapshotReader.Corrupt(offset, "a version superseded before the compaction point is kept");
        }

        var tombstone = KeyHistory.IsTombstone(kv);
        if (tombstone && KeyHistory.IsTombstone(before))
        {
            throw SnapshotReader.Corrupt(offset, "two tombstones in a row");
        }

        if (tombstone)
        {
            return;
        }

        var continues = !KeyHistory.IsTombstone(before);
        if (continues ? kv.CreateRevision != before.CreateRevision || kv.Version != before.Version + 1
                      : kv.CreateRevision != kv.ModRevision || kv.Version != 1)
        {
            throw SnapshotReader.Corrupt(offset, "create_revision/version do not follow the previous version");
        }
    }

    /// <summary>
    /// Reads one event and resolves its versions to the objects of the restored histories, so
    /// that events and reads share them as in the original store (or to the packed record, as a
    /// put that created a key logs it).
    /// </summary>
    private LoggedEvent ReadEvent(ref SnapshotReader reader, ref long previousRevision)
    {
        var offset = reader.Position;
        var type = reader.ReadByte();
        if (type > (byte)EventType.Delete)
        {
            throw SnapshotReader.Corrupt(offset, $"unknown event type {type}");
        }

        var keySpan = reader.ReadBytes();
        var modRevision = reader.ReadVarint(Math.Max(previousRevision, 1), _revision, "event revision");
        var prevRevision = reader.ReadVarint(0, modRevision - 1, "event prev_kv revision");
        previousRevision = modRevision;

        var cursor = _index.Seek(keySpan);
        var record = cursor.IsAt(keySpan) ? cursor.Value : null;
        var kv = record is null ? null : Find(record, modRevision);
        var isDelete = type == (byte)EventType.Delete;
        if (kv is null)
        {
            // A delete at exactly the compaction point: compaction dropped its tombstone (and the
            // key, when nothing newer is left) but the event stays replayable.
            if (!isDelete || modRevision != _compactRevision || keySpan.IsEmpty)
            {
                throw SnapshotReader.Corrupt(offset, $"event names a version at revision {modRevision} that the snapshot does not hold");
            }

            // The key memory of a history is an exact array; a packed record's is not shared.
            kv = new KeyValue { Key = record is KeyHistory ? cursor.Key : keySpan.ToArray(), ModRevision = modRevision };
        }
        else if (isDelete != KeyHistory.IsTombstone(kv))
        {
            throw SnapshotReader.Corrupt(offset, "event type does not match its version");
        }

        KeyValue? prevKv = null;
        if (prevRevision != 0)
        {
            prevKv = record is null ? null : Find(record, prevRevision);
            if (prevKv is null || KeyHistory.IsTombstone(prevKv))
            {
                throw SnapshotReader.Corrupt(offset, $"event prev_kv names no live version at revision {prevRevision}");
            }
        }

        var eventType = isDelete ? EventType.Delete : EventType.Put;
        return record is byte[] packed && !isDelete
            ? new LoggedEvent(eventType, packed, prevKv)
            : new LoggedEvent(new Event { Type = eventType, Kv = kv, PrevKv = prevKv }, null);
    }

    /// <summary>The retained version of a record with exactly <paramref name="modRevision"/>.</summary>
    private static KeyValue? Find(object record, long modRevision)
    {
        if (record is byte[] packed)
        {
            var live = new LiveRecord(packed);
            return live.ModRevision == modRevision ? live.ToKeyValue() : null;
        }

        var history = (KeyHistory)record;
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var kv = history[i];
            if (kv.ModRevision == modRevision)
            {
                return kv;
            }

            if (kv.ModRevision < modRevision)
            {
                break;
            }
        }

        return null;
    }
}
