namespace AntiEtcd.Raft;

/// <summary>An <see cref="IRaftStorage"/> kept in memory, for tests, the simulation and in-memory nodes.</summary>
/// <remarks>
/// Its write methods (<see cref="Append"/>, <see cref="SetHardState"/>, <see cref="ApplySnapshot"/>,
/// <see cref="CreateSnapshot"/>, <see cref="Compact"/>) play the part of the WAL and snapshot files: whatever
/// was written here counts as persisted. Not thread-safe: one owner.
/// </remarks>
public sealed class MemoryRaftStorage : IRaftStorage
{
    // _entries[0] is a dummy standing for the snapshot: its Index and Term are the snapshot's.
    private readonly List<Entry> _entries = [new Entry(0, 0, EntryType.Empty, ReadOnlyMemory<byte>.Empty)];
    private HardState _hardState;
    private Snapshot _snapshot;

    /// <summary>Creates an empty storage for a cluster whose members are <paramref name="voters"/>.</summary>
    /// <param name="voters">The members, recorded in the initial (empty) snapshot.</param>
    public MemoryRaftStorage(IReadOnlyList<NodeId> voters)
    {
        _snapshot = new Snapshot(new SnapshotMetadata(0, 0, voters), ReadOnlyMemory<byte>.Empty);
    }

    /// <inheritdoc/>
    public ulong FirstIndex => _entries[0].Index + 1;

    /// <inheritdoc/>
    public ulong LastIndex => _entries[0].Index + (ulong)_entries.Count - 1;

    /// <summary>The persisted hard state.</summary>
    public HardState HardState => _hardState;

    /// <inheritdoc/>
    public HardState InitialState() => _hardState;

    /// <summary>Persists <paramref name="hardState"/>.</summary>
    public void SetHardState(HardState hardState) => _hardState = hardState;

    /// <inheritdoc/>
    public ulong Term(ulong index)
    {
        var offset = _entries[0].Index;
        if (index < offset || index > LastIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"not in [{offset}, {LastIndex}]");
        }

        return _entries[(int)(index - offset)].Term;
    }

    /// <inheritdoc/>
    public IReadOnlyList<Entry> Entries(ulong lo, ulong hi, ulong maxSize)
    {
        var offset = _entries[0].Index;
        if (lo <= offset || hi > LastIndex + 1 || lo > hi)
        {
            throw new ArgumentOutOfRangeException(nameof(lo), $"[{lo}, {hi}) not within [{offset + 1}, {LastIndex + 1})");
        }

        var result = new List<Entry>((int)Math.Min(hi - lo, 64));
        ulong size = 0;
        for (var i = lo; i < hi; i++)
        {
            var e = _entries[(int)(i - offset)];
            size += e.Size;
            if (result.Count > 0 && size > maxSize)
            {
                break;
            }

            result.Add(e);
        }

        return result;
    }

    /// <inheritdoc/>
    public Snapshot GetSnapshot() => _snapshot;

    /// <summary>Persists entries; entries from the first one's index on replace what was stored there.</summary>
    /// <param name="entries">Consecutive entries, as handed out in <see cref="Ready.Entries"/>.</param>
    public void Append(IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        var offset = _entries[0].Index;
        var first = entries[0].Index;
        if (first + (ulong)entries.Count - 1 <= offset)
        {
            return; // entirely covered by the snapshot
        }

        var skip = first <= offset ? (int)(offset + 1 - first) : 0;
        first += (ulong)skip;
        if (first > LastIndex + 1)
        {
            throw new InvalidOperationException($"gap in log: appending {first} after {LastIndex}");
        }

        _entries.RemoveRange((int)(first - offset), _entries.Count - (int)(first - offset));
        for (var i = skip; i < entries.Count; i++)
        {
            _entries.Add(entries[i]);
        }
    }

    /// <summary>Replaces the whole log with <paramref name="snapshot"/> (a follower installing a leader's snapshot).</summary>
    public void ApplySnapshot(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Index <= _snapshot.Index)
        {
            return;
        }

        _snapshot = snapshot;
        _entries.Clear();
        _entries.Add(new Entry(snapshot.Term, snapshot.Index, EntryType.Empty, ReadOnlyMemory<byte>.Empty));
    }

    /// <summary>Records a snapshot of the state machine taken at <paramref name="index"/> (which must be applied, so stored).</summary>
    /// <returns>The new snapshot.</returns>
    public Snapshot CreateSnapshot(ulong index, ReadOnlyMemory<byte> data)
    {
        if (index <= _snapshot.Index)
        {
            return _snapshot;
        }

        if (index > LastIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"beyond last index {LastIndex}");
        }

        _snapshot = new Snapshot(new SnapshotMetadata(index, Term(index), _snapshot.Metadata.Voters), data);
        return _snapshot;
    }

    /// <summary>Discards the entries before <paramref name="compactIndex"/>, which must be covered by a snapshot.</summary>
    public void Compact(ulong compactIndex)
    {
        var offset = _entries[0].Index;
        if (compactIndex <= offset)
        {
            return;
        }

        if (compactIndex > _snapshot.Index)
        {
            throw new ArgumentOutOfRangeException(nameof(compactIndex), compactIndex, "compaction beyond the snapshot would lose entries");
        }

        // Keep the entry at compactIndex as the new dummy: its term answers Term(FirstIndex - 1).
        var keep = _entries[(int)(compactIndex - offset)];
        _entries.RemoveRange(0, (int)(compactIndex - offset));
        _entries[0] = keep with { Type = EntryType.Empty, Data = ReadOnlyMemory<byte>.Empty };
    }
}
