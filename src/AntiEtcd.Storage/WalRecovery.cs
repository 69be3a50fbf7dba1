namespace AntiEtcd.Storage;

/// <summary>What <see cref="Wal.OpenAsync"/> read back, resolved by the rules of docs/wal-format.md §2.3.</summary>
/// <remarks>
/// The payloads are slices of buffers owned by this object and never written again; keep them as long as needed.
/// Drop this object once the state is rebuilt, since it holds the whole WAL in memory.
/// </remarks>
public sealed class WalRecovery
{
    internal WalRecovery(
        IReadOnlyList<WalRecord> records,
        IReadOnlyList<WalRecord> entries,
        WalRecord? hardState,
        WalRecord? snapshot,
        ulong firstIndex,
        WalTornTail? tornTail,
        IReadOnlyList<string> warnings)
    {
        Records = records;
        Entries = entries;
        HardState = hardState;
        Snapshot = snapshot;
        FirstIndex = firstIndex;
        TornTail = tornTail;
        Warnings = warnings;
    }

    /// <summary>Every record of every segment, in the order appended (including hard states copied at segment starts).</summary>
    public IReadOnlyList<WalRecord> Records { get; }

    /// <summary>The resolved log: <see cref="RecordKind.Entry"/> records with contiguous ascending indexes from <see cref="FirstIndex"/>.</summary>
    public IReadOnlyList<WalRecord> Entries { get; }

    /// <summary>The last <see cref="RecordKind.HardState"/> record, or null if none was ever appended.</summary>
    public WalRecord? HardState { get; }

    /// <summary>The last <see cref="RecordKind.Snapshot"/> record still in the WAL, or null.</summary>
    public WalRecord? Snapshot { get; }

    /// <summary>
    /// The index the log continues from: the first entry's index, or when there is none, one past the last snapshot
    /// record (1 for an empty WAL). A snapshot at index s lets the WAL continue without a gap (SPEC §9.3) iff
    /// s + 1 &gt;= FirstIndex.
    /// </summary>
    public ulong FirstIndex { get; }

    /// <summary>The index of the last entry (or FirstIndex − 1 if there is none).</summary>
    public ulong LastIndex => FirstIndex + (ulong)Entries.Count - 1;

    /// <summary>The torn tail that was cut, or null.</summary>
    public WalTornTail? TornTail { get; }

    /// <summary>Messages for the caller to log as warnings (the torn-tail repair).</summary>
    public IReadOnlyList<string> Warnings { get; }
}
