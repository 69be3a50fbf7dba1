namespace AntiEtcd.Storage;

/// <summary>The kind of a WAL record; decides how recovery combines records (docs/wal-format.md §2.3).</summary>
/// <remarks>The numeric values are on disk and frozen by a golden test; never renumber them.</remarks>
public enum RecordKind : byte
{
    /// <summary>A log entry at an index; replaces every entry at that index and above.</summary>
    Entry = 1,

    /// <summary>The consensus hard state (term, vote, commit); the last one wins. Its index is ignored (0).</summary>
    HardState = 2,

    /// <summary>A durable snapshot exists at the index; entries at or below it are dropped.</summary>
    Snapshot = 3,
}
