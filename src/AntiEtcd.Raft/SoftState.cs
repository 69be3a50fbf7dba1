namespace AntiEtcd.Raft;

/// <summary>Volatile state that the application may want to observe but never persists.</summary>
/// <param name="Leader">The leader this node knows of in <paramref name="Term"/>, or <see cref="NodeId.None"/>.</param>
/// <param name="Role">This node's role.</param>
/// <param name="Term">The current term (also in <see cref="HardState"/>, repeated here so role changes are self-describing).</param>
public readonly record struct SoftState(NodeId Leader, RaftRole Role, ulong Term);
