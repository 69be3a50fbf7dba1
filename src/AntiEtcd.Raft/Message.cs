namespace AntiEtcd.Raft;

/// <summary>A message between two TinyRaft nodes.</summary>
/// <remarks>
/// A plain record so a wire codec can encode every field. Which fields matter depends on <see cref="Type"/>
/// (see <see cref="MessageType"/>); unused fields keep their defaults. Buffers (entry data, context,
/// snapshot data) are shared, never copied, and must not be modified.
/// </remarks>
public sealed record Message
{
    /// <summary>The kind of message.</summary>
    public required MessageType Type { get; init; }

    /// <summary>The sender.</summary>
    public NodeId From { get; init; }

    /// <summary>The receiver.</summary>
    public NodeId To { get; init; }

    /// <summary>The sender's term; for <see cref="MessageType.PreVote"/> the term it would campaign in.</summary>
    public ulong Term { get; init; }

    /// <summary>The term of the entry at <see cref="Index"/> (App, Vote, PreVote) or of the reject hint (AppResp).</summary>
    public ulong LogTerm { get; init; }

    /// <summary>The log index the message is about; its meaning depends on <see cref="Type"/>.</summary>
    public ulong Index { get; init; }

    /// <summary>Entries to append after <see cref="Index"/> (App only).</summary>
    public IReadOnlyList<Entry> Entries { get; init; } = [];

    /// <summary>The sender's commit index (App, Heartbeat).</summary>
    public ulong Commit { get; init; }

    /// <summary>Whether the request was refused (AppResp, VoteResp, PreVoteResp).</summary>
    public bool Reject { get; init; }

    /// <summary>On a rejected AppResp: an index from which the leader should probe next.</summary>
    public ulong RejectHint { get; init; }

    /// <summary>The read-index context (Heartbeat, HeartbeatResp, ReadIndex, ReadIndexResp).</summary>
    public ReadOnlyMemory<byte> Context { get; init; }

    /// <summary>The snapshot (Snap only).</summary>
    public Snapshot? Snapshot { get; init; }

    /// <summary>The sender's <see cref="RaftConfig.LeaderPriority"/>, advertised in AppResp and HeartbeatResp.</summary>
    public int Priority { get; init; }

    /// <summary>
    /// On AppResp and HeartbeatResp: the sender's state is incomplete (SPEC §9.4), so a complete leader sends it a
    /// snapshot of its whole state instead of entries (<see cref="RaftNode.Incomplete"/>).
    /// </summary>
    public bool Incomplete { get; init; }

    /// <summary>On Vote: the election was started by a leadership transfer, so receivers ignore their leader lease.</summary>
    public bool Transfer { get; init; }

    /// <inheritdoc/>
    public override string ToString()
    {
        var s = $"{From}->{To} {Type} Term:{Term} Log:{LogTerm}/{Index}";
        if (Type == MessageType.App)
        {
            s += $" Commit:{Commit} Entries:[{string.Join(", ", Entries)}]";
        }
        else if (Type == MessageType.Heartbeat)
        {
            s += $" Commit:{Commit}";
        }

        if (Reject)
        {
            s += $" Rejected (Hint: {RejectHint})";
        }

        if (!Context.IsEmpty)
        {
            s += $" Context:{Convert.ToHexString(Context.Span)}";
        }

        if (Snapshot is not null)
        {
            s += $" Snapshot:{Snapshot.Term}/{Snapshot.Index}";
        }

        if (Transfer)
        {
            s += " Transfer";
        }

        return s;
    }
}
