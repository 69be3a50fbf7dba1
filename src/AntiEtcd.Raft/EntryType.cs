namespace AntiEtcd.Raft;

/// <summary>The kind of a log entry.</summary>
/// <remarks>The numeric values are persisted in the WAL and sent to peers: they are frozen.</remarks>
public enum EntryType
{
    /// <summary>An application command (one write, DESIGN §3); its data goes to the state machine.</summary>
    Normal = 0,

    /// <summary>The no-op a new leader appends at the start of its term (Raft §5.4.2, §8); it carries no data.</summary>
    Empty = 1,
}
