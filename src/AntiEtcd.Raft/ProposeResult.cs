namespace AntiEtcd.Raft;

/// <summary>The outcome of <see cref="RaftNode.Propose"/>, with the position of the new entry when accepted.</summary>
/// <remarks>
/// The proposal is committed when an entry with this exact (<paramref name="Term"/>, <paramref name="Index"/>)
/// appears in <see cref="Ready.CommittedEntries"/>. If an entry of a different term is committed at that index,
/// the proposal was lost with its leader and will never be applied. If this node loses leadership before either
/// happens, the outcome is unknown to this node (another leader may still commit it).
/// </remarks>
/// <param name="Status">Whether the entry was appended.</param>
/// <param name="Index">The index of the new entry, or 0.</param>
/// <param name="Term">The term of the new entry, or 0.</param>
public readonly record struct ProposeResult(ProposeStatus Status, ulong Index, ulong Term);
