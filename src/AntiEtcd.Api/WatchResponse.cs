namespace AntiEtcd.Api;

/// <summary>A message of a watch stream (SPEC §7.3).</summary>
public sealed class WatchResponse
{
    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; set; } = new();

    /// <summary>The watch this message belongs to; -1 for a stream-wide progress reply.</summary>
    public long WatchId { get; set; }

    /// <summary>Set on the reply to a create request.</summary>
    public bool Created { get; set; }

    /// <summary>Set when the watch ends.</summary>
    public bool Canceled { get; set; }

    /// <summary>The compact revision, when canceled because the start revision was compacted.</summary>
    public long CompactRevision { get; set; }

    /// <summary>Why the watch was canceled.</summary>
    public string CancelReason { get; set; } = "";

    /// <summary>True when more fragments of this revision follow.</summary>
    public bool Fragment { get; set; }

    /// <summary>The events, in revision order.</summary>
    public IReadOnlyList<Event> Events { get; set; } = [];
}
