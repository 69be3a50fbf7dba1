namespace AntiEtcd.Server;

/// <summary>A node's view of the cluster's leadership (SPEC §13.2).</summary>
/// <param name="Role">This node's role.</param>
/// <param name="Term">The current term.</param>
/// <param name="LeaderNodeId">The leader's node_id, or null when none is known.</param>
/// <param name="Followers">On the leader: the node_ids heard from recently, itself included; otherwise empty.</param>
public sealed record RaftStateInfo(RaftRole Role, ulong Term, string? LeaderNodeId, IReadOnlyList<string> Followers);
