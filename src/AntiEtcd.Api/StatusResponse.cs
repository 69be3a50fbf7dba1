namespace AntiEtcd.Api;

/// <summary>Response of <c>/v3/maintenance/status</c> (SPEC §6.1).</summary>
public sealed class StatusResponse
{
    /// <summary>The response header; its revision is this node's applied revision.</summary>
    public ResponseHeader Header { get; set; } = new();

    /// <summary><c>antietcd-dotnet X.Y.Z</c>.</summary>
    public string Version { get; set; } = "";

    /// <summary>Bytes of the data directory, or the estimated in-memory size of the state.</summary>
    public long DbSize { get; set; }

    /// <summary>member_id of the current leader; 0 when none is known.</summary>
    public ulong Leader { get; set; }

    /// <summary>This node's Raft commit index.</summary>
    public ulong RaftIndex { get; set; }

    /// <summary>This node's current term.</summary>
    public ulong RaftTerm { get; set; }

    /// <summary>Last applied log index.</summary>
    public ulong RaftAppliedIndex { get; set; }

    /// <summary>Current problems.</summary>
    public IReadOnlyList<string> Errors { get; set; } = [];

    /// <summary>Estimated bytes of live keys, values and retained history.</summary>
    public long DbSizeInUse { get; set; }

    /// <summary>This node's node_id (extension).</summary>
    public string NodeId { get; set; } = "";

    /// <summary>The leader's node_id, or empty when none is known (extension).</summary>
    public string LeaderNodeId { get; set; } = "";

    /// <summary><c>leader</c>, <c>follower</c> or <c>candidate</c> (extension).</summary>
    public string RaftState { get; set; } = "";

    /// <summary>node_id → URL, only with <c>--cluster</c> (extension).</summary>
    public IReadOnlyDictionary<string, string>? Cluster { get; set; }

    /// <summary>On the leader with <c>--cluster</c>: node_ids heard from recently (extension).</summary>
    public IReadOnlyList<string>? Followers { get; set; }

    /// <summary>The current compact revision (extension).</summary>
    public long CompactRevision { get; set; }

    /// <summary><c>pending</c>, <c>applied</c> or <c>skipped</c>; empty when no import was attempted (extension).</summary>
    public string ImportState { get; set; } = "";
}
