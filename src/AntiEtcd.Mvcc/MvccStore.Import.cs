using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>Loading the keys of an original antietcd data file (SPEC §9.6).</summary>
public sealed partial class MvccStore
{
    /// <summary>
    /// True when the store is as a new one: revision 1, no key (not even history) and no lease.
    /// Only such a store takes an import (SPEC §9.6).
    /// </summary>
    public bool IsEmpty => _revision == 1 && _index.Count == 0 && _leases.Count == 0;

    /// <summary>
    /// Checks keys for <see cref="Import"/>: each has a non-empty key, no lease, version ≥ 1,
    /// 1 ≤ create_revision ≤ mod_revision, and a version that fits between the two (at most
    /// mod_revision − create_revision + 1, as in any store history); no key appears twice.
    /// </summary>
    /// <remarks>
    /// The importer calls this before it proposes the import, so that a bad file is refused at
    /// start with a message rather than being logged; <see cref="Import"/> repeats it, because a
    /// store that broke these rules could not be snapshotted and read back.
    /// </remarks>
    /// <param name="keys">The keys to check.</param>
    /// <returns>Null when the keys can be imported; otherwise what is wrong, naming the key.</returns>
    public static string? ValidateImport(IReadOnlyList<KeyValue> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return CheckImport(keys, out _);
    }

    private static string? CheckImport(IReadOnlyList<KeyValue> keys, out KeyValue[] sorted)
    {
        sorted = [];
        for (var i = 0; i < keys.Count; i++)
        {
            var kv = keys[i];
            if (kv is null)
            {
                return $"key #{i} is null";
            }

            var problem = kv.Key.IsEmpty ? "the key is empty"
                : kv.Lease != 0 ? "it has a lease"
                : kv.Version < 1 ? $"version {kv.Version} is below 1"
                : kv.CreateRevision < 1 ? $"create_revision {kv.CreateRevision} is below 1"
                : kv.ModRevision < kv.CreateRevision ? $"mod_revision {kv.ModRevision} is below create_revision {kv.CreateRevision}"
                : kv.Version > kv.ModRevision - kv.CreateRevision + 1 ? $"version {kv.Version} is impossible between revisions {kv.CreateRevision} and {kv.ModRevision}"
                : null;
            if (problem is not null)
            {
                return $"key {Describe(kv.Key)}: {problem}";
            }
        }

        sorted = Sorted(keys);
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Key.Span.SequenceEqual(sorted[i - 1].Key.Span))
            {
                return $"key {Describe(sorted[i].Key)} appears twice";
            }
        }

        return null;
    }

    /// <summary>
    /// Applies an import entry (SPEC §9.6): when the store <see cref="IsEmpty"/>, loads every key
    /// as its only version, sets <see cref="Revision"/> to the largest of
    /// <paramref name="revision"/>, every key's mod_revision and 1, and sets
    /// <see cref="CompactRevision"/> to that revision, so that no older revision can be read or
    /// watched. Otherwise the import is skipped and nothing changes.
    /// </summary>
    /// <remarks>
    /// The import produces no event (<see cref="LastEvents"/> becomes empty) and no history. The
    /// store copies each key and value (into one packed array per key) and keeps none of the given
    /// objects or their memory. Deterministic: the result depends only on the arguments and the state,
    /// so every node that applies the same entry reaches the same state (SPEC §8.8).
    /// </remarks>
    /// <param name="keys">The keys, in any order; see <see cref="ValidateImport"/>.</param>
    /// <param name="revision">The file's own revision (its <c>mod_revision</c>); may be below the keys' revisions, or 0.</param>
    /// <returns>True when the keys were loaded; false when the import was skipped.</returns>
    /// <exception cref="ArgumentException">The keys break a rule of <see cref="ValidateImport"/>
    /// (the importer checks before proposing, so this is a bug); nothing changed.</exception>
    public bool Import(IReadOnlyList<KeyValue> keys, long revision)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _lastEvents = NoEvents;
        if (CheckImport(keys, out var sorted) is { } problem)
        {
            throw new ArgumentException(problem, nameof(keys));
        }

        if (!IsEmpty)
        {
            return false;
        }

        var target = Math.Max(revision, 1);
        foreach (var kv in sorted)
        {
            AddLive(kv);
            _keyCount++;
            _sizeBytes += kv.Key.Length + kv.Value.Length;
            target = Math.Max(target, kv.ModRevision);
        }

        _revision = target;
        _compactRevision = target;
        return true;
    }

    /// <summary>A copy of the keys in byte order (appending in order fills the index fastest).</summary>
    private static KeyValue[] Sorted(IReadOnlyList<KeyValue> keys)
    {
        var sorted = new KeyValue[keys.Count];
        for (var i = 0; i < sorted.Length; i++)
        {
            sorted[i] = keys[i];
        }

        Array.Sort(sorted, static (a, b) => a.Key.Span.SequenceCompareTo(b.Key.Span));
        return sorted;
    }

    /// <summary>A key for a message: its UTF-8 text when it is valid UTF-8 without control characters, else hex.</summary>
    private static string Describe(ReadOnlyMemory<byte> key)
    {
        try
        {
            var text = new System.Text.UTF8Encoding(false, true).GetString(key.Span);
            foreach (var c in text)
            {
                if (char.IsControl(c))
                {
                    return "0x" + Convert.ToHexString(key.Span);
                }
            }

            return '"' + text + '"';
        }
        catch (System.Text.DecoderFallbackException)
        {
            return "0x" + Convert.ToHexString(key.Span);
        }
    }
}
