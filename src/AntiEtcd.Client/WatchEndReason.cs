namespace AntiEtcd.Client;

/// <summary>Why a <see cref="ResumableWatch"/> stopped on its own.</summary>
public enum WatchEndReason
{
    /// <summary>A watch was canceled because its start revision was compacted: the caller must reload with a range read (SPEC §7.5).</summary>
    Compacted = 0,

    /// <summary>The server refused a create for a reason that another endpoint would not change (e.g. an empty range).</summary>
    CreateFailed = 1,

    /// <summary>The server canceled every watch (not for compaction).</summary>
    Canceled = 2,

    /// <summary>No endpoint could be reached before the first connection.</summary>
    Unreachable = 3,
}
