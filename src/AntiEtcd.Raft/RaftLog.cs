using System.Diagnostics;

namespace AntiEtcd.Raft;

/// <summary>The node's view of the log: what storage holds, plus an unstable tail (and maybe a snapshot) not yet persisted.</summary>
/// <remarks>
/// Indexes: entries below <see cref="_offset"/> are in storage; <see cref="_unstable"/> holds [_offset, LastIndex].
/// Unstable entries from <see cref="_offsetInProgress"/> on have not been handed out in a Ready yet.
/// </remarks>
internal sealed class RaftLog
{
    private readonly IRaftStorage _storage;
    private readonly List<Entry> _unstable = [];
    private ulong _offset;
    private ulong _offsetInProgress;
    private Snapshot? _unstableSnapshot;
    private bool _snapshotInProgress;

    public RaftLog(IRaftStorage storage, ulong applied)
    {
        _storage = storage;
        _offset = storage.LastIndex + 1;
        _offsetInProgress = _offset;
        var snapshotIndex = storage.FirstIndex - 1;
        Committed = snapshotIndex;
        Applied = Math.Max(applied, snapshotIndex);
        Applying = Applied;
    }

    /// <summary>The highest index known committed.</summary>
    public ulong Committed { get; private set; }

    /// <summary>The highest index handed out for applying (in a Ready not yet advanced).</summary>
    public ulong Applying { get; private set; }

    /// <summary>The highest index the application has applied.</summary>
    public ulong Applied { get; private set; }

    public Snapshot? UnstableSnapshot => _unstableSnapshot;

    public ulong FirstIndex => _unstableSnapshot is not null ? _unstableSnapshot.Index + 1 : _storage.FirstIndex;

    public ulong LastIndex
    {
        get
        {
            if (_unstable.Count > 0)
            {
                return _offset + (ulong)_unstable.Count - 1;
            }

            return _unstableSnapshot is not null ? _unstableSnapshot.Index : _storage.LastIndex;
        }
    }

    public ulong LastTerm => TermOrZero(LastIndex);

    /// <summary>The last index that is persisted and part of this log (so may count towards commit and be applied).</summary>
    public ulong PersistedIndex => _unstableSnapshot is not null ? 0 : _offset - 1;

    public bool TryTerm(ulong index, out ulong term)
    {
        term = 0;
        if (_unstableSnapshot is not null && index == _unstableSnapshot.Index)
        {
            term = _unstableSnapshot.Term;
            return true;
        }

        if (index < FirstIndex - 1 || index > LastIndex)
        {
            return false;
        }

        if (index >= _offset)
        {
            term = _unstable[(int)(index - _offset)].Term;
            return true;
        }

        if (_unstableSnapshot is not null)
        {
            return false;
        }

        term = _storage.Term(index);
        return true;
    }

    public ulong TermOrZero(ulong index) => TryTerm(index, out var t) ? t : 0;

    public bool MatchTerm(ulong index, ulong term) => TryTerm(index, out var t) && t == term;

    /// <summary>Raft §5.4.1: is a log ending at (<paramref name="lastTerm"/>, <paramref name="lastIndex"/>) at least as up to date as ours?</summary>
    public bool IsUpToDate(ulong lastIndex, ulong lastTerm)
    {
        var ourTerm = LastTerm;
        return lastTerm > ourTerm || (lastTerm == ourTerm && lastIndex >= LastIndex);
    }

    /// <summary>The follower side of AppendEntries (Raft §5.3).</summary>
    /// <returns>The index of the last new entry, or null if the log does not contain (<paramref name="prevTerm"/>, <paramref name="prevIndex"/>).</returns>
    public ulong? MaybeAppend(ulong prevIndex, ulong prevTerm, ulong leaderCommit, IReadOnlyList<Entry> entries)
    {
        if (!MatchTerm(prevIndex, prevTerm))
        {
            return null;
        }

        var lastNew = prevIndex + (ulong)entries.Count;
        var conflict = -1;
        for (var i = 0; i < entries.Count; i++)
        {
            if (!MatchTerm(entries[i].Index, entries[i].Term))
            {
                conflict = i;
                break;
            }
        }

        if (conflict >= 0)
        {
            var at = entries[conflict].Index;
            if (at <= Committed)
            {
                throw new InvalidOperationException($"entry {at} conflicts with committed entry (committed {Committed})");
            }

            Append(entries, conflict);
        }

        CommitTo(Math.Min(leaderCommit, lastNew));
        return lastNew;
    }

    /// <summary>Appends entries[from..], truncating any unstable or stored entries at or after the first one's index.</summary>
    public void Append(IReadOnlyList<Entry> entries, int from = 0)
    {
        if (from >= entries.Count)
        {
            return;
        }

        var after = entries[from].Index;
        Debug.Assert(after > Committed, "never truncate committed entries");
        var end = _offset + (ulong)_unstable.Count;
        if (after == end)
        {
            // plain append
        }
        else if (after <= _offset)
        {
            // Replaces everything unstable, and stored entries from `after` on (storage truncates them on Append).
            _offset = after;
            _unstable.Clear();
        }
        else
        {
            _unstable.RemoveRange((int)(after - _offset), _unstable.Count - (int)(after - _offset));
        }

        _offsetInProgress = Math.Min(_offsetInProgress, after);
        for (var i = from; i < entries.Count; i++)
        {
            _unstable.Add(entries[i]);
        }
    }

    /// <summary>Entries [lo, hi), at most <paramref name="maxSize"/> bytes but at least one entry.</summary>
    public List<Entry> Slice(ulong lo, ulong hi, ulong maxSize)
    {
        Debug.Assert(lo >= FirstIndex && hi <= LastIndex + 1, "slice out of bounds");
        var result = new List<Entry>();
        ulong size = 0;
        if (lo < _offset)
        {
            var stored = _storage.Entries(lo, Math.Min(hi, _offset), maxSize);
            foreach (var e in stored)
            {
                size += e.Size;
                result.Add(e);
            }

            if (result.Count < (int)(Math.Min(hi, _offset) - lo))
            {
                return result; // size limit reached
            }
        }

        for (var i = Math.Max(lo, _offset); i < hi; i++)
        {
            var e = _unstable[(int)(i - _offset)];
            size += e.Size;
            if (result.Count > 0 && size > maxSize)
            {
                break;
            }

            result.Add(e);
        }

        return result;
    }

    public void CommitTo(ulong index)
    {
        if (index <= Committed)
        {
            return;
        }

        if (index > LastIndex)
        {
            throw new InvalidOperationException($"commit {index} beyond last index {LastIndex}");
        }

        Committed = index;
    }

    /// <summary>Commits <paramref name="index"/> if its entry is from <paramref name="term"/> (Raft §5.4.2), or unconditionally if <paramref name="anyTerm"/>.</summary>
    public bool MaybeCommit(ulong index, ulong term, bool anyTerm)
    {
        if (index > Committed && index <= LastIndex && (anyTerm || TermOrZero(index) == term))
        {
            CommitTo(index);
            return true;
        }

        return false;
    }

    /// <summary>Largest index ≤ <paramref name="index"/> whose term is ≤ <paramref name="term"/> (for fast log backtracking, Raft §5.3 end).</summary>
    public ulong FindConflictByTerm(ulong index, ulong term)
    {
        while (index > 0)
        {
            if (!TryTerm(index, out var t))
            {
                return index;
            }

            if (t <= term)
            {
                return index;
            }

            index--;
        }

        return 0;
    }

    /// <summary>Whether unstable entries at or below <paramref name="limit"/> were not handed out yet.</summary>
    public bool HasUnstableToHandOut(ulong limit) => _offsetInProgress < _offset + (ulong)_unstable.Count && _offsetInProgress <= limit;

    public bool HasSnapshotToHandOut => _unstableSnapshot is not null && !_snapshotInProgress;

    /// <summary>Hands out unstable entries not handed out before, up to <paramref name="limit"/>.</summary>
    public List<Entry> TakeUnstableEntries(ulong limit)
    {
        if (!HasUnstableToHandOut(limit))
        {
            return [];
        }

        var start = (int)(_offsetInProgress - _offset);
        var end = (int)Math.Min((ulong)_unstable.Count, limit - _offset + 1);
        var result = _unstable.GetRange(start, end - start);
        _offsetInProgress = _offset + (ulong)end;
        return result;
    }

    public Snapshot? TakeUnstableSnapshot()
    {
        if (!HasSnapshotToHandOut)
        {
            return null;
        }

        _snapshotInProgress = true;
        return _unstableSnapshot;
    }

    /// <summary>The highest index that may be handed out for applying.</summary>
    private ulong MaxApplicable => Math.Min(Committed, PersistedIndex);

    public bool HasCommittedToHandOut => _unstableSnapshot is null && Applying < MaxApplicable;

    public List<Entry> TakeCommittedEntries(ulong maxSize)
    {
        if (!HasCommittedToHandOut)
        {
            return [];
        }

        var result = Slice(Applying + 1, MaxApplicable + 1, maxSize);
        Applying = result[^1].Index;
        return result;
    }

    /// <summary>The application persisted entries up to (<paramref name="term"/>, <paramref name="index"/>).</summary>
    public void StableTo(ulong index, ulong term)
    {
        if (index < _offset || index >= _offset + (ulong)_unstable.Count)
        {
            return;
        }

        if (_unstable[(int)(index - _offset)].Term != term)
        {
            return; // replaced meanwhile: the newer entries are still to be persisted
        }

        var n = (int)(index - _offset) + 1;
        _unstable.RemoveRange(0, n);
        _offset = index + 1;
        _offsetInProgress = Math.Max(_offsetInProgress, _offset);
    }

    public void StableSnapTo(ulong index)
    {
        if (_unstableSnapshot is not null && _unstableSnapshot.Index == index)
        {
            _unstableSnapshot = null;
            _snapshotInProgress = false;
        }
    }

    public void AppliedTo(ulong index)
    {
        if (index > Applied)
        {
            Applied = index;
        }

        if (Applying < Applied)
        {
            Applying = Applied;
        }
    }

    /// <summary>Hands out no committed entry up to <paramref name="index"/>: a state snapshot at that index replaces them.</summary>
    public void SkipApplyingTo(ulong index)
    {
        if (Applying < index)
        {
            Applying = index;
        }
    }

    /// <summary>Replaces the whole log with <paramref name="snapshot"/> (Raft §7).</summary>
    public void Restore(Snapshot snapshot)
    {
        Committed = snapshot.Index;
        _unstable.Clear();
        _offset = snapshot.Index + 1;
        _offsetInProgress = _offset;
        _unstableSnapshot = snapshot;
        _snapshotInProgress = false;
    }
}
