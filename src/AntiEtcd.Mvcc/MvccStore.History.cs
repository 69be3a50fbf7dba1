using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>History for watch replay and compaction (SPEC §2.5, §4.5, §7.4).</summary>
public sealed partial class MvccStore
{
    // Every event with revision ≥ the compaction point, in apply order, from index _logHead on,
    // in the compact form of LoggedEvent (24 bytes per change; replay makes Event objects).
    private readonly List<LoggedEvent> _log = [];
    private int _logHead;

    /// <summary>
    /// Compacts to <paramref name="revision"/>: drops history that no read at a revision ≥ it can
    /// see and events older than it, and sets <see cref="CompactRevision"/>. Refused with
    /// <see cref="MvccStatus.Compacted"/> when <paramref name="revision"/> ≤ the current compaction
    /// point (so also for 0) and <see cref="MvccStatus.FutureRevision"/> when it is above
    /// <see cref="Revision"/> (SPEC §4.5). Takes no revision.
    /// </summary>
    /// <remarks>
    /// Reading at <paramref name="revision"/> still works, and its events stay replayable; their
    /// <c>PrevKv</c> is dropped, because the previous version is no longer readable (etcd's watch
    /// sends no prev_kv there either).
    /// </remarks>
    public MvccResult<CompactionResponse> Compact(long revision)
    {
        _lastEvents = NoEvents;
        if (revision <= _compactRevision)
        {
            return MvccResult<CompactionResponse>.Fail(MvccStatus.Compacted);
        }

        if (revision > _revision)
        {
            return MvccResult<CompactionResponse>.Fail(MvccStatus.FutureRevision);
        }

        // Every key whose history can shrink changed at a revision in (old point, revision]:
        // the events of that window name all of them (some twice, which is harmless).
        var i = _logHead;
        for (; i < _log.Count && _log[i].ModRevision <= revision; i++)
        {
            CompactKey(_log[i].Key.Span, revision);
        }

        var head = _logHead;
        while (head < _log.Count && _log[head].ModRevision < revision)
        {
            _log[head++] = default;
        }

        for (var j = head; j < i; j++)
        {
            if (_log[j].PrevKv is not null)
            {
                _log[j] = _log[j].WithoutPrevKv();
            }
        }

        _logHead = head;
        if (_logHead > 1024 && _logHead > _log.Count / 2)
        {
            _log.RemoveRange(0, _logHead);
            _logHead = 0;

            // Give back the array of a burst (a bulk load keeps up to its whole size of events
            // until the compaction after it), keeping room to grow without copying again soon.
            if (_log.Count < _log.Capacity / 4)
            {
                _log.Capacity = Math.Max(1024, _log.Count * 2);
            }
        }

        _compactRevision = revision;
        return MvccResult<CompactionResponse>.Ok(new CompactionResponse { Header = new ResponseHeader { Revision = _revision } });
    }

    /// <summary>
    /// All retained events with revision in [<paramref name="fromRevision"/>, <see cref="Revision"/>],
    /// in apply order, for watch replay (SPEC §7.4). Returns false, with no events, when
    /// <paramref name="fromRevision"/> &lt; <see cref="CompactRevision"/>: the events at and after
    /// the compaction point are replayable, older ones are gone.
    /// </summary>
    /// <remarks>
    /// The list and its <see cref="Event"/> objects are new on each call (the log keeps a compact
    /// form); their versions are the store's own <see cref="KeyValue"/> objects where it has them,
    /// else new ones aliasing its packed records. Immutable either way.
    /// </remarks>
    public bool TryGetHistory(long fromRevision, out IReadOnlyList<Event> events) =>
        TryGetHistory(fromRevision, int.MaxValue, out events);

    /// <summary>
    /// As <see cref="TryGetHistory(long, out IReadOnlyList{Event})"/>, but stops after the revision
    /// during which the count reached <paramref name="maxEvents"/>, so replay can proceed in
    /// bounded steps without splitting a revision: continue from the last event's revision + 1.
    /// </summary>
    public bool TryGetHistory(long fromRevision, int maxEvents, out IReadOnlyList<Event> events)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvents);
        if (fromRevision < _compactRevision)
        {
            events = NoEvents;
            return false;
        }

        int lo = _logHead, hi = _log.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_log[mid].ModRevision < fromRevision)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        var end = _log.Count;
        if (end - lo > maxEvents)
        {
            end = lo + maxEvents;
            var last = _log[end - 1].ModRevision;
            while (end < _log.Count && _log[end].ModRevision == last)
            {
                end++;
            }
        }

        if (end == lo)
        {
            events = NoEvents;
            return true;
        }

        var copy = new Event[end - lo];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = _log[lo + i].ToEvent();
        }

        events = copy;
        return true;
    }

    private void AppendToLog(LoggedEvent e) => _log.Add(e);

    private void CompactKey(ReadOnlySpan<byte> key, long revision)
    {
        var cursor = _index.Seek(key);
        if (!cursor.IsAt(key) || cursor.Value is not KeyHistory history)
        {
            return;
        }

        _sizeBytes -= history.Compact(revision);
        if (history.Count == 0)
        {
            _index.Remove(key);
        }
        else if (history.Count == 1 && !KeyHistory.IsTombstone(history[0]))
        {
            SetLive(cursor, history[0]);
        }
    }
}
