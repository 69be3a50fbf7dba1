using System.Buffers;
using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>
/// The whole state of an <see cref="MvccStore"/> at one revision, captured by <see cref="MvccStore.CaptureSnapshot"/>
/// on the store's owner thread and written as a snapshot image (docs/wal-format.md §8) on any thread, while the store
/// goes on changing.
/// </summary>
/// <remarks>
/// <para>Why: serializing a large store takes long (a 180 MB image of 1,000,000 keys, hundreds of milliseconds), and
/// on the owner thread every write waits for it. Capturing costs one reference per key instead: a live key with no
/// history is an immutable packed record that later writes replace, never change; a key with history gets a copy of
/// its version list (the list itself changes with writes and compaction, its <see cref="KeyValue"/> objects never do);
/// the leases and the event log are copied likewise.</para>
/// <para>Immutable once captured; <see cref="Write"/> may run on several threads at once.</para>
/// </remarks>
public sealed class SnapshotView
{
    private readonly long _revision;
    private readonly long _compactRevision;
    private readonly (long Id, long Ttl)[] _leases;

    // In key order: a packed live record (byte[]) or a key's retained versions, oldest first (KeyValue[]).
    private readonly object[] _records;
    private readonly LoggedEvent[] _events;

    internal SnapshotView(long revision, long compactRevision, (long Id, long Ttl)[] leases, object[] records, LoggedEvent[] events, long keyCount, long estimatedSizeBytes)
    {
        _revision = revision;
        _compactRevision = compactRevision;
        _leases = leases;
        _records = records;
        _events = events;
        KeyCount = keyCount;
        EstimatedSizeBytes = estimatedSizeBytes;
    }

    /// <summary>The store's revision when captured.</summary>
    public long Revision => _revision;

    /// <summary>The store's <see cref="MvccStore.KeyCount"/> when captured.</summary>
    public long KeyCount { get; }

    /// <summary>The store's <see cref="MvccStore.EstimatedSizeBytes"/> when captured: with <see cref="KeyCount"/>, what an image needs.</summary>
    public long EstimatedSizeBytes { get; }

    /// <summary>
    /// Writes the image, as <see cref="MvccStore.WriteSnapshot(IBufferWriter{byte}, SnapshotValueFilter?)"/> describes;
    /// equal states give equal images, whenever and on whatever thread they are written.
    /// </summary>
    /// <param name="output">Where the image goes.</param>
    /// <param name="filter">The value filter (SPEC §9.4 persisted form); null writes format <see cref="MvccStore.SnapshotFormatVersion"/>.</param>
    /// <returns>The image's length in bytes.</returns>
    public long Write(IBufferWriter<byte> output, SnapshotValueFilter? filter)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new SnapshotWriter(output);
        List<ReadOnlyMemory<byte>>? volatileKeys = filter is null ? null : [];
        writer.WriteByte(filter is null ? MvccStore.SnapshotFormatVersion : MvccStore.FilteredSnapshotFormatVersion);
        writer.WriteVarint(_revision);
        writer.WriteVarint(_compactRevision);
        writer.WriteVarint(_leases.Length);
        writer.WriteVarint(_records.Length);
        writer.WriteVarint(_events.Length);

        foreach (var (id, ttl) in _leases)
        {
            writer.WriteVarint(id);
            writer.WriteVarint(ttl);
        }

        foreach (var record in _records)
        {
            if (record is byte[] packed)
            {
                var live = new LiveRecord(packed);
                writer.WriteBytes(live.Key.Span);
                writer.WriteVarint(1);
                WriteVersion(ref writer, live.Key, live.ModRevision, live.Version, live.CreateRevision, live.Lease, live.Value, filter, volatileKeys, isLatest: true);
            }
            else
            {
                // Every version of a key, tombstones included, carries the key.
                var versions = (KeyValue[])record;
                writer.WriteBytes(versions[0].Key.Span);
                writer.WriteVarint(versions.Length);
                for (var i = 0; i < versions.Length; i++)
                {
                    var kv = versions[i];
                    WriteVersion(ref writer, kv.Key, kv.ModRevision, kv.Version, kv.CreateRevision, kv.Lease, kv.Value, filter, volatileKeys, isLatest: i == versions.Length - 1);
                }
            }
        }

        foreach (var e in _events)
        {
            writer.WriteByte((byte)e.Type);
            writer.WriteBytes(e.Key.Span);
            writer.WriteVarint(e.ModRevision);
            writer.WriteVarint(e.PrevKv?.ModRevision ?? 0);
        }

        if (volatileKeys is not null)
        {
            writer.WriteVarint(volatileKeys.Count);
            foreach (var key in volatileKeys)
            {
                writer.WriteBytes(key.Span);
            }
        }

        return writer.Finish();
    }

    private static void WriteVersion(ref SnapshotWriter writer, ReadOnlyMemory<byte> key, long modRevision, long version, long createRevision, long lease, ReadOnlyMemory<byte> value,
        SnapshotValueFilter? filter, List<ReadOnlyMemory<byte>>? volatileKeys, bool isLatest)
    {
        writer.WriteVarint(modRevision);
        writer.WriteVarint(version);
        if (version != 0)
        {
            writer.WriteVarint(createRevision);
            writer.WriteVarint(lease);
            if (filter is not null)
            {
                if (filter(key.Span, value) is { } stored)
                {
                    value = stored;
                }
                else
                {
                    value = default;
                    if (isLatest)
                    {
                        volatileKeys!.Add(key);
                    }
                }
            }

            writer.WriteBytes(value.Span);
        }
    }
}
