namespace AntiEtcd.Server.Cluster;

/// <summary>How the leader answered a forwarded request. The values go on the wire: frozen.</summary>
internal enum ForwardStatus : byte
{
    /// <summary>Done: the reply carries the log position (writes) and the JSON response.</summary>
    Ok = 0,

    /// <summary>An error with its HTTP status, gRPC code and message, as the leader would answer a client.</summary>
    Error = 1,

    /// <summary>The receiver is not the leader and did not propose the request: retry on the leader.</summary>
    NotLeader = 2,
}
