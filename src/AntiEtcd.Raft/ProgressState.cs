namespace AntiEtcd.Raft;

/// <summary>How the leader is currently replicating to one follower (etcd-io/raft tracker design).</summary>
internal enum ProgressState
{
    /// <summary>The follower's match is unknown: send one append at a time and wait for the answer.</summary>
    Probe = 0,

    /// <summary>The follower is in sync: stream appends optimistically, bounded by the inflight window.</summary>
    Replicate = 1,

    /// <summary>A snapshot is on its way: send nothing until it is acknowledged or reported failed.</summary>
    Snapshot = 2,
}
