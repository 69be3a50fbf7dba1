namespace AntiEtcd.Api;

/// <summary>Response of <c>/v3/lease/keepalive</c>, without the HTTP <c>result</c> wrapper.</summary>
public sealed class LeaseKeepAliveResponse
{
    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; set; } = new();

    /// <summary>The lease ID.</summary>
    public long Id { get; set; }

    /// <summary>The granted TTL after renewal; 0 means the lease is gone.</summary>
    public long Ttl { get; set; }
}
