namespace AntiEtcd.Api;

/// <summary>Request of <c>/v3/lease/revoke</c> (SPEC §5.2).</summary>
public sealed class LeaseRevokeRequest
{
    /// <summary>The lease to revoke.</summary>
    public long Id { get; set; }
}
