namespace AntiEtcd.Raft;

/// <summary>A batch of work the core hands to the application: persist, send, apply, then <see cref="RaftNode.Advance"/>.</summary>
/// <remarks>
/// <para>Processing order (docs/raft.md "The persistence-before-send contract"):</para>
/// <list type="number">
/// <item>Send <see cref="Messages"/> at any time, even before anything is persisted (the leader's appends go out in parallel with its own fsync).</item>
/// <item>Persist <see cref="Snapshot"/>, then <see cref="Entries"/> (replacing any stored entries from the first one's index on), then <see cref="HardState"/>, durably if <see cref="MustSync"/>.</item>
/// <item>Only then send <see cref="MessagesAfterPersist"/> (votes, vote requests and append acknowledgements, which promise durable state).</item>
/// <item>Install <see cref="Snapshot"/> in the state machine, apply <see cref="CommittedEntries"/> in order, serve <see cref="ReadStates"/> once applied.
/// <see cref="CommittedEntries"/> are always entries this node persisted in earlier Readies, so without a <see cref="Snapshot"/> or a
/// <see cref="StateSnapshot"/> they may be applied as early as step 1, in parallel with persisting this Ready's entries.</item>
/// <item>Call <see cref="RaftNode.Advance"/> with this Ready.</item>
/// </list>
/// <para>All lists are owned by the application after <see cref="RaftNode.GetReady"/> returns.</para>
/// </remarks>
public sealed class Ready
{
    /// <summary>The new soft state, or null if unchanged since the previous Ready.</summary>
    public SoftState? SoftState { get; init; }

    /// <summary>The hard state to persist, or null if unchanged.</summary>
    public HardState? HardState { get; init; }

    /// <summary>Entries to persist (append) before sending <see cref="MessagesAfterPersist"/>.</summary>
    public IReadOnlyList<Entry> Entries { get; init; } = [];

    /// <summary>A snapshot to persist and install, or null.</summary>
    public Snapshot? Snapshot { get; init; }

    /// <summary>Committed entries to apply, in order; all of them are already persisted.</summary>
    public IReadOnlyList<Entry> CommittedEntries { get; init; } = [];

    /// <summary>Messages that may be sent at once, before (or in parallel with) persisting this Ready.</summary>
    public IReadOnlyList<Message> Messages { get; init; } = [];

    /// <summary>Messages that may be sent only after this Ready's snapshot, entries and hard state are durable.</summary>
    public IReadOnlyList<Message> MessagesAfterPersist { get; init; } = [];

    /// <summary>Answers to read-index requests.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; init; } = [];

    /// <summary>Whether persisting this Ready needs an fsync (entries or term/vote changed; a commit-only change does not).</summary>
    public bool MustSync { get; init; }

    /// <summary>
    /// A leader's complete state, to replace this incomplete node's state machine (SPEC §9.4) at its index, which this
    /// node's log already holds: install it in the state machine only (storage and log stay), after the entries
    /// handed out earlier and before <see cref="CommittedEntries"/>, which follow it. Null almost always.
    /// </summary>
    public Snapshot? StateSnapshot { get; init; }

    /// <summary>
    /// A complete leader has incomplete followers (SPEC §9.4): the application should take a snapshot of its state at
    /// an applied index of at least this one, record it in storage, and call <see cref="RaftNode.SendRequestedSnapshots"/>.
    /// Null when no snapshot is wanted.
    /// </summary>
    public ulong? SnapshotWanted { get; init; }
}
