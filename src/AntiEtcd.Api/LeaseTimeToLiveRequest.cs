namespace AntiEtcd.Api;

/// <summary>Request of <c>/v3/lease/timetolive</c> (SPEC §5.4).</summary>
public sealed class LeaseTimeToLiveRequest
{
    /// <summary>The lease.</summary>
    public long Id { get; set; }

    /// <summary>Also list the attached keys.</summary>
    public bool Keys { get; set; }
}
