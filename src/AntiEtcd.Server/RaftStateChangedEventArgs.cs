namespace AntiEtcd.Server;

/// <summary>Raised when the role, term, leader or follower set changes (SPEC §13.2).</summary>
/// <param name="state">The new state.</param>
public sealed class RaftStateChangedEventArgs(RaftStateInfo state) : EventArgs
{
    /// <summary>The new state.</summary>
    public RaftStateInfo State { get; } = state;

    /// <summary>This node's role.</summary>
    public RaftRole Role => State.Role;

    /// <summary>The current term.</summary>
    public ulong Term => State.Term;

    /// <summary>The leader's node_id, if known.</summary>
    public string? LeaderNodeId => State.LeaderNodeId;

    /// <summary>On the leader: node_ids heard from recently.</summary>
    public IReadOnlyList<string> Followers => State.Followers;
}
