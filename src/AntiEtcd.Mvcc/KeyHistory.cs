using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>
/// The retained versions of one key, oldest first: every version still readable at some revision
/// ≥ the compaction point. A tombstone (a delete) is a <see cref="KeyValue"/> with version 0 and
/// only the key and mod_revision set, the very object that the delete event carries.
/// </summary>
/// <remarks>
/// A key with a single live version and no history is stored packed in one byte array instead
/// (<see cref="LiveRecord"/>): this class exists only for keys changed since the compaction point,
/// so the common case costs neither this object nor a <see cref="KeyValue"/>.
/// </remarks>
internal sealed class KeyHistory
{
    private KeyValue[] _versions;
    private int _count;

    /// <summary>Starts a history with the version that was live and the one that replaces it.</summary>
    public KeyHistory(KeyValue previous, KeyValue next)
    {
        _versions = [previous, next, null!];
        _count = 2;
    }

    /// <summary>Number of retained versions.</summary>
    public int Count => _count;

    /// <summary>The newest version (a tombstone when the key is deleted now).</summary>
    public KeyValue Latest => _versions[_count - 1];

    /// <summary>The version at <paramref name="index"/> (0 = oldest).</summary>
    public KeyValue this[int index] => _versions[index];

    /// <summary>True when <paramref name="kv"/> is a tombstone.</summary>
    public static bool IsTombstone(KeyValue kv) => kv.Version == 0;

    /// <summary>Appends a newer version.</summary>
    public void Add(KeyValue kv)
    {
        if (_count == _versions.Length)
        {
            Array.Resize(ref _versions, _count * 2);
        }

        _versions[_count++] = kv;
    }

    /// <summary>The live version at <paramref name="revision"/>, or null when the key did not exist then.</summary>
    public KeyValue? At(long revision)
    {
        // Histories are short (bounded by the compaction window), so scan from the newest.
        for (var i = _count - 1; i >= 0; i--)
        {
            var kv = _versions[i];
            if (kv.ModRevision <= revision)
            {
                return IsTombstone(kv) ? null : kv;
            }
        }

        return null;
    }

    /// <summary>
    /// Drops the versions that no read at revision ≥ <paramref name="compactRevision"/> can see:
    /// everything before the version live at that revision, and that version too when it is a
    /// tombstone. Returns the bytes (key + value) of the dropped versions.
    /// </summary>
    public long Compact(long compactRevision)
    {
        var keep = -1;
        for (var i = _count - 1; i >= 0; i--)
        {
            if (_versions[i].ModRevision <= compactRevision)
            {
                keep = IsTombstone(_versions[i]) ? i + 1 : i;
                break;
            }
        }

        if (keep <= 0)
        {
            return 0;
        }

        long bytes = 0;
        for (var i = 0; i < keep; i++)
        {
            bytes += _versions[i].Key.Length + _versions[i].Value.Length;
        }

        Array.Copy(_versions, keep, _versions, 0, _count - keep);
        Array.Clear(_versions, _count - keep, keep);
        _count -= keep;
        if (_versions.Length > 4 && _count < _versions.Length / 4)
        {
            Array.Resize(ref _versions, Math.Max(2, _count));
        }

        return bytes;
    }
}
