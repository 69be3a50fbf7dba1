namespace AntiEtcd.Jepsen.Checkers.Linearizability;

/// <summary>
/// The memo of the linearizability search: a set of (linearized-set, register state) keys, each a short run of
/// <see cref="ulong"/> words. Keys are copied into one growing pool, so a lookup allocates nothing and an entry costs
/// its words plus 16 bytes (a <see cref="HashSet{T}"/> of arrays would cost an object per state).
/// </summary>
/// <remarks>Not thread-safe: one search owns one cache.</remarks>
internal sealed class StateCache
{
    private int[] _buckets = new int[1024];
    private Entry[] _entries = new Entry[1024];
    private ulong[] _pool = new ulong[8192];
    private int _poolUsed;

    /// <summary>How many distinct keys were added: the search's "states visited".</summary>
    public int Count { get; private set; }

    /// <summary>Adds <paramref name="key"/> unless an equal key is present.</summary>
    /// <returns>True when the key was new.</returns>
    public bool TryAdd(ReadOnlySpan<ulong> key)
    {
        uint hash = Hash(key);
        int bucket = (int)(hash & (uint)(_buckets.Length - 1));
        for (int i = _buckets[bucket] - 1; i >= 0; i = _entries[i].Next)
        {
            ref Entry e = ref _entries[i];
            if (e.Hash == hash && e.Length == key.Length && key.SequenceEqual(_pool.AsSpan(e.Offset, e.Length)))
            {
                return false;
            }
        }

        if (Count == _entries.Length)
        {
            Grow();
            bucket = (int)(hash & (uint)(_buckets.Length - 1));
        }

        if (_poolUsed + key.Length > _pool.Length)
        {
            Array.Resize(ref _pool, Math.Max(_pool.Length * 2, _poolUsed + key.Length));
        }

        key.CopyTo(_pool.AsSpan(_poolUsed));
        _entries[Count] = new Entry { Hash = hash, Offset = _poolUsed, Length = key.Length, Next = _buckets[bucket] - 1 };
        _buckets[bucket] = Count + 1;
        _poolUsed += key.Length;
        Count++;
        return true;
    }

    private void Grow()
    {
        Array.Resize(ref _entries, _entries.Length * 2);
        _buckets = new int[_buckets.Length * 2];
        int mask = _buckets.Length - 1;
        for (int i = 0; i < Count; i++)
        {
            int bucket = (int)(_entries[i].Hash & (uint)mask);
            _entries[i].Next = _buckets[bucket] - 1;
            _buckets[bucket] = i + 1;
        }
    }

    private static uint Hash(ReadOnlySpan<ulong> key)
    {
        ulong h = 0xCBF29CE484222325UL ^ (ulong)key.Length;
        foreach (ulong w in key)
        {
            h = (h ^ w) * 0x9E3779B97F4A7C15UL;
            h ^= h >> 29;
        }

        return (uint)(h ^ (h >> 32));
    }

    private struct Entry
    {
        public uint Hash;
        public int Offset;
        public int Length;
        public int Next;
    }
}
