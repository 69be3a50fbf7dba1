namespace AntiEtcd.Api;

/// <summary>Request of <c>/v3/lease/grant</c> (SPEC §5.1).</summary>
public sealed class LeaseGrantRequest
{
    /// <summary>Requested TTL in seconds; raised to the minimum TTL.</summary>
    public long Ttl { get; set; }

    /// <summary>Requested lease ID; 0 lets the leader choose.</summary>
    public long Id { get; set; }
}
