namespace AntiEtcd.Api;

/// <summary>Response of <c>/v3/lease/leases</c> (SPEC §5.5).</summary>
public sealed class LeaseLeasesResponse
{
    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; set; } = new();

    /// <summary>Leases ascending by ID.</summary>
    public IReadOnlyList<LeaseStatus> Leases { get; set; } = [];
}
