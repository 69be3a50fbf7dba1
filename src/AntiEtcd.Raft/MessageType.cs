namespace AntiEtcd.Raft;

/// <summary>The kinds of message TinyRaft nodes exchange.</summary>
/// <remarks>
/// The numeric values go on the wire between peers (and may be logged or persisted by the transport): they
/// are frozen, and a golden test checks them. Add new kinds at the end, never renumber.
/// Local inputs (ticks, proposals, campaigns) are methods on <see cref="RaftNode"/>, not messages.
/// </remarks>
public enum MessageType
{
    /// <summary>AppendEntries from the leader (Raft §5.3): entries after (<c>Index</c>, <c>LogTerm</c>) and the leader's commit.</summary>
    App = 1,

    /// <summary>Answer to <see cref="App"/> or <see cref="Snap"/>: <c>Index</c> is the follower's last matching index, or a rejection with a hint.</summary>
    AppResp = 2,

    /// <summary>RequestVote (Raft §5.2) for term <c>Term</c> with the candidate's last (<c>LogTerm</c>, <c>Index</c>).</summary>
    Vote = 3,

    /// <summary>Answer to <see cref="Vote"/>.</summary>
    VoteResp = 4,

    /// <summary>Pre-vote request (Raft thesis §9.6) for the hypothetical term <c>Term</c>; the receiver changes no state.</summary>
    PreVote = 5,

    /// <summary>Answer to <see cref="PreVote"/>.</summary>
    PreVoteResp = 6,

    /// <summary>Leader heartbeat: keeps followers from campaigning, carries a safe commit index and read-index contexts.</summary>
    Heartbeat = 7,

    /// <summary>Answer to <see cref="Heartbeat"/>; echoes the read-index context.</summary>
    HeartbeatResp = 8,

    /// <summary>InstallSnapshot (Raft §7) for a follower behind the leader's retained log.</summary>
    Snap = 9,

    /// <summary>Leadership transfer (Raft thesis §3.10): the receiver campaigns at once, bypassing pre-vote and leases.</summary>
    TimeoutNow = 10,

    /// <summary>A follower asks the leader for a read index on behalf of its clients.</summary>
    ReadIndex = 11,

    /// <summary>The leader's answer to <see cref="ReadIndex"/>: the confirmed read index in <c>Index</c>.</summary>
    ReadIndexResp = 12,
}
