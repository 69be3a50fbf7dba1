namespace AntiEtcd.Api;

/// <summary>One entry of <c>/v3/lease/leases</c>.</summary>
public sealed class LeaseStatus
{
    /// <summary>The lease ID.</summary>
    public long Id { get; set; }
}
