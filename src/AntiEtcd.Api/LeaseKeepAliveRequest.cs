namespace AntiEtcd.Api;

/// <summary>Request of <c>/v3/lease/keepalive</c> (SPEC §5.3).</summary>
public sealed class LeaseKeepAliveRequest
{
    /// <summary>The lease to renew.</summary>
    public long Id { get; set; }
}
