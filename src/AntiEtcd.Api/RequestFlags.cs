namespace AntiEtcd.Api;

/// <summary>antietcd's request flags, from the query string or top-level body fields (SPEC §3.5).</summary>
[Flags]
public enum RequestFlags
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>Serve reads from local state.</summary>
    Serializable = 1,

    /// <summary>Fail with U2 unless this node is the leader.</summary>
    LeaderOnly = 2,

    /// <summary>Do not wait for readiness.</summary>
    NoWaitQuorum = 4,
}
