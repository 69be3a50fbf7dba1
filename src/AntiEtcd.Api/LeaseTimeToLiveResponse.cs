namespace AntiEtcd.Api;

/// <summary>Response of <c>/v3/lease/timetolive</c> (SPEC §5.4).</summary>
public sealed class LeaseTimeToLiveResponse
{
    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; set; } = new();

    /// <summary>The lease ID.</summary>
    public long Id { get; set; }

    /// <summary>Remaining whole seconds; -1 for an unknown lease.</summary>
    public long Ttl { get; set; }

    /// <summary>The granted TTL.</summary>
    public long GrantedTtl { get; set; }

    /// <summary>Attached keys in key order, when requested.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Keys { get; set; } = [];
}
