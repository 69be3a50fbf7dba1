namespace AntiEtcd.Api;

/// <summary>Response of <c>/v3/lease/grant</c>.</summary>
public sealed class LeaseGrantResponse
{
    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; set; } = new();

    /// <summary>The granted lease ID.</summary>
    public long Id { get; set; }

    /// <summary>The effective TTL in seconds.</summary>
    public long Ttl { get; set; }
}
