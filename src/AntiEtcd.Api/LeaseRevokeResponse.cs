namespace AntiEtcd.Api;

/// <summary>Response of <c>/v3/lease/revoke</c>.</summary>
public sealed class LeaseRevokeResponse
{
    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; set; } = new();
}
