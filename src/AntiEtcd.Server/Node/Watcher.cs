using AntiEtcd.Api;

namespace AntiEtcd.Server.Node;

/// <summary>One watch: its range, options and delivery position.</summary>
/// <remarks>Owned by the <see cref="WatchHub"/> and touched only on the apply loop.</remarks>
internal sealed class Watcher(WatchStream stream, long id, WatchCreateRequest request)
{
    private readonly ReadOnlyMemory<byte> _key = request.Key.ToArray();
    private readonly ReadOnlyMemory<byte> _rangeEnd = request.RangeEnd.ToArray();

    public WatchStream Stream { get; } = stream;

    public long Id { get; } = id;

    public bool PrevKv { get; } = request.PrevKv;

    public bool NoPut { get; } = request.Filters.Contains(FilterType.NoPut);

    public bool NoDelete { get; } = request.Filters.Contains(FilterType.NoDelete);

    public bool ProgressNotify { get; } = request.ProgressNotify;

    public bool Fragment { get; } = request.Fragment;

    /// <summary>The next revision this watch must deliver; every earlier one has been delivered or skipped.</summary>
    public long NextRevision { get; set; }

    /// <summary>True while the watch still catches up from history (etcd's "unsynced" watchers).</summary>
    public bool Replaying { get; set; }

    /// <summary>Set when a message was queued since the last progress-notify tick.</summary>
    public bool SentSinceTick { get; set; }

    /// <summary>SPEC §2.3 range membership.</summary>
    public bool Contains(ReadOnlySpan<byte> key)
    {
        var end = _rangeEnd.Span;
        if (end.IsEmpty)
        {
            return key.SequenceEqual(_key.Span);
        }

        if (key.SequenceCompareTo(_key.Span) < 0)
        {
            return false;
        }

        return (end.Length == 1 && end[0] == 0) || key.SequenceCompareTo(end) < 0;
    }

    /// <summary>Whether an event passes the range and the filters.</summary>
    public bool Wants(Event e) =>
        (e.Type == EventType.Put ? !NoPut : !NoDelete) && Contains(e.Kv.Key.Span);
}
