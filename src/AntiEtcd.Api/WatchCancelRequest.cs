namespace AntiEtcd.Api;

/// <summary>The <c>cancel_request</c> of a watch stream (SPEC §7.2).</summary>
public sealed class WatchCancelRequest
{
    /// <summary>The watch to cancel; an unknown ID gets no reply (SPEC §7.4).</summary>
    public long WatchId { get; set; }
}
