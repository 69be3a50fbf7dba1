namespace AntiEtcd.Raft;

/// <summary>The state a node must persist before it acts on it (Raft §5, Figure 2 "persistent state").</summary>
/// <param name="Term">The latest term this node has seen.</param>
/// <param name="Vote">The candidate this node voted for in <paramref name="Term"/>, or <see cref="NodeId.None"/>.</param>
/// <param name="Commit">The highest index known to be committed; persisted so a restart does not have to rediscover it.</param>
public readonly record struct HardState(ulong Term, NodeId Vote, ulong Commit)
{
    /// <summary>Whether this is the state of a node that has never run.</summary>
    public bool IsEmpty => Term == 0 && Vote.IsNone && Commit == 0;
}
