namespace AntiEtcd.Raft;

/// <summary>The outcome of <see cref="RaftNode.Propose"/>, with the position of the new entry when accepted.</summary>
/// <remarks>
/// The proposal is committed when an entry with this exact (<paramref name="Term"/>, <paramref name="Index"/>)
/// appears in <see cref="Ready.CommittedEntries"/>. If a different term shows up at that index, the proposal
/// was lost with its leader and the outcome is unknown to the client only if it was cancelled earlier; here it is
/// known: it did not happen.
/// </remarks>
/// <param name="Status">Whether the entry was appended.</param>
/// <param name="Index">The index of the new entry, or 0.</param>
/// <param name="Term">The term of the new entry, or 0.</param>
public readonly record struct ProposeResult(ProposeStatus Status, ulong Index, ulong Term);
