namespace AntiEtcd.Jepsen;

/// <summary>The leader every reachable node agreed on.</summary>
/// <param name="Index">The leader's position in <see cref="JepsenCluster.Nodes"/>.</param>
/// <param name="NodeId">The leader's node id.</param>
/// <param name="Term">The Raft term they agreed on.</param>
public sealed record LeaderInfo(int Index, string NodeId, ulong Term);
