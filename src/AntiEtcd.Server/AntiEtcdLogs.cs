namespace AntiEtcd.Server;

/// <summary>The optional log streams of <c>--logs</c> (SPEC §11.5).</summary>
[Flags]
public enum AntiEtcdLogs
{
    /// <summary>Only warnings, errors and the import outcome.</summary>
    None = 0,

    /// <summary>One line per client HTTP request, with the request and response bodies.</summary>
    Access = 1,

    /// <summary>Outgoing watch messages.</summary>
    Watch = 2,

    /// <summary>Raft role changes and peer connections.</summary>
    Cluster = 4,
}
