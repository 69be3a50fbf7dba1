namespace AntiEtcd.Raft;

/// <summary>The answer to a <see cref="RaftNode.ReadIndex"/> request.</summary>
/// <remarks>
/// A linearizable read issued when the request was made may be served from the local state machine once
/// the node has applied at least <paramref name="Index"/> (Raft thesis §6.4).
/// </remarks>
/// <param name="Index">The commit index the leader held when it confirmed its leadership.</param>
/// <param name="Context">The context given to <see cref="RaftNode.ReadIndex"/>, to match the answer to the request.</param>
public readonly record struct ReadState(ulong Index, ReadOnlyMemory<byte> Context);
