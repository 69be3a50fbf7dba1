using System.Runtime.InteropServices;
using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>A full consistency check, for tests.</summary>
public sealed partial class MvccStore
{
    /// <summary>
    /// Walks the whole store and throws <see cref="InvalidOperationException"/> at the first broken
    /// invariant: tree order, per-key history order and trimming, counters, lease attachments and
    /// the event log. O(everything): for tests only.
    /// </summary>
    internal void CheckConsistency()
    {
        _index.CheckInvariants();
        long live = 0, bytes = 0, leased = 0;
        for (var cursor = _index.First(); cursor.IsValid; cursor.MoveNext())
        {
            var key = cursor.Key;
            switch (cursor.Value)
            {
                case byte[] packed:
                    var kv = new LiveRecord(packed).ToKeyValue();
                    CheckVersion(key, kv, null);
                    if (KeyHistory.IsTombstone(kv))
                    {
                        Fail(key, "packed tombstone");
                    }

                    // The index key must alias the record, or it would keep another array alive.
                    if (!MemoryMarshal.TryGetArray(key, out var segment) || segment.Array != packed)
                    {
                        Fail(key, "index key is not a slice of its packed record");
                    }

                    bytes += kv.Key.Length + kv.Value.Length;
                    break;
                case KeyHistory history:
                    if (history.Count == 0 || (history.Count == 1 && !KeyHistory.IsTombstone(history[0])))
                    {
                        Fail(key, "history that should be a packed record or gone");
                    }

                    if (KeyHistory.IsTombstone(history[0]) && history[0].ModRevision <= _compactRevision)
                    {
                        Fail(key, "tombstone older than the compaction point");
                    }

                    for (var i = 0; i < history.Count; i++)
                    {
                        var version = history[i];
                        CheckVersion(key, version, i == 0 ? null : history[i - 1]);
                        if (i > 0 && version.ModRevision <= _compactRevision)
                        {
                            Fail(key, "version superseded before the compaction point still kept");
                        }

                        bytes += version.Key.Length + version.Value.Length;
                    }

                    break;
                default:
                    Fail(key, "unknown record");
                    break;
            }

            if (Current(cursor.Value) is { } current)
            {
                live++;
                if (current.Lease != 0)
                {
                    leased++;
                    if (!_leases.TryGetValue(current.Lease, out var lease) || lease.Keys is null || !lease.Keys.Contains(key))
                    {
                        Fail(key, "live key missing from its lease");
                    }
                }
            }
        }

        if (live != _keyCount || bytes != _sizeBytes)
        {
            throw new InvalidOperationException($"counters: keys {_keyCount} (actual {live}), bytes {_sizeBytes} (actual {bytes})");
        }

        long attached = 0;
        foreach (var lease in _leases.Values)
        {
            attached += lease.Keys?.Count ?? 0;
        }

        if (attached != leased)
        {
            throw new InvalidOperationException($"leases hold {attached} keys, {leased} live keys have a lease");
        }

        var previous = _compactRevision;
        for (var i = _logHead; i < _log.Count; i++)
        {
            var revision = _log[i].ModRevision;
            if (revision < previous || revision > _revision)
            {
                throw new InvalidOperationException($"event log out of order at {i}: revision {revision}");
            }

            previous = revision;
        }
    }

    private void CheckVersion(ReadOnlyMemory<byte> key, KeyValue kv, KeyValue? before)
    {
        if (!kv.Key.Span.SequenceEqual(key.Span) || kv.ModRevision > _revision)
        {
            Fail(key, "version with a wrong key or a future revision");
        }

        if (!KeyHistory.IsTombstone(kv) && (kv.CreateRevision > kv.ModRevision || kv.CreateRevision <= 0))
        {
            Fail(key, "bad create_revision");
        }

        if (before is null)
        {
            return;
        }

        if (before.ModRevision >= kv.ModRevision)
        {
            Fail(key, "history not ascending");
        }

        if (!KeyHistory.IsTombstone(kv))
        {
            var continues = !KeyHistory.IsTombstone(before);
            if (continues ? kv.CreateRevision != before.CreateRevision || kv.Version != before.Version + 1
                          : kv.CreateRevision != kv.ModRevision || kv.Version != 1)
            {
                Fail(key, "create_revision/version do not follow the previous version");
            }
        }
    }

    private static void Fail(ReadOnlyMemory<byte> key, string what) =>
        throw new InvalidOperationException($"key {Convert.ToHexString(key.Span)}: {what}");
}
