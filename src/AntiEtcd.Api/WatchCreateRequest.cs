namespace AntiEtcd.Api;

/// <summary>The <c>create_request</c> of a watch stream (SPEC §7.2).</summary>
public sealed class WatchCreateRequest
{
    /// <summary>First key of the watched range.</summary>
    public ReadOnlyMemory<byte> Key { get; set; }

    /// <summary>End of the watched range (SPEC §2.3).</summary>
    public ReadOnlyMemory<byte> RangeEnd { get; set; }

    /// <summary>Replay events from this revision; ≤ 0 means from the next revision.</summary>
    public long StartRevision { get; set; }

    /// <summary>Send periodic progress notifications.</summary>
    public bool ProgressNotify { get; set; }

    /// <summary>Event types to filter out.</summary>
    public IReadOnlyList<FilterType> Filters { get; set; } = [];

    /// <summary>Include the previous key-value in events.</summary>
    public bool PrevKv { get; set; }

    /// <summary>Requested watch ID; 0 means auto-assign (SPEC §7.2).</summary>
    public long WatchId { get; set; }

    /// <summary>Allow large revisions to be split into fragments.</summary>
    public bool Fragment { get; set; }
}
