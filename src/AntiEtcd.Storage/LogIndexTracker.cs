namespace AntiEtcd.Storage;

/// <summary>The index rules of docs/wal-format.md §2.3, shared by recovery (which replays) and append (which checks).</summary>
/// <remarks>The log is the entries (Base, Last]. Not thread-safe; owned by recovery, then guarded by the WAL's lock.</remarks>
internal sealed class LogIndexTracker
{
    /// <summary>Whether any entry or snapshot record has been seen; before that, any first index is accepted.</summary>
    public bool Started { get; private set; }

    public ulong Base { get; private set; }

    public ulong Last { get; private set; }

    /// <summary>Null if a record of <paramref name="kind"/> at <paramref name="index"/> may follow; otherwise why not.</summary>
    public string? Check(RecordKind kind, ulong index)
    {
        if (kind != RecordKind.Entry)
        {
            return kind == RecordKind.Snapshot && index == 0 ? "a snapshot record needs an index of at least 1" : null;
        }

        if (index == 0)
        {
            return "an entry needs an index of at least 1";
        }

        if (!Started)
        {
            return null;
        }

        if (index <= Base)
        {
            return $"entry {index} is at or below the snapshot index {Base}";
        }

        return index > Last + 1 ? $"entry {index} leaves a gap after entry {Last}" : null;
    }

    /// <summary>Applies a record that passed <see cref="Check"/>; returns how many trailing and leading entries it drops.</summary>
    /// <param name="kind">The record kind.</param>
    /// <param name="index">The record index.</param>
    /// <param name="dropFromIndex">Entries at this index and above are dropped (0: none).</param>
    /// <param name="dropThroughIndex">Entries at this index and below are dropped (0: none).</param>
    public void Apply(RecordKind kind, ulong index, out ulong dropFromIndex, out ulong dropThroughIndex)
    {
        dropFromIndex = 0;
        dropThroughIndex = 0;
        if (kind == RecordKind.HardState)
        {
            return;
        }

        if (!Started)
        {
            Started = true;
            Base = kind == RecordKind.Entry ? index - 1 : index;
            Last = Base;
        }

        if (kind == RecordKind.Entry)
        {
            if (index <= Last)
            {
                dropFromIndex = index;
            }

            Last = index;
        }
        else if (index >= Last)
        {
            dropThroughIndex = Last;
            Base = index;
            Last = index;
        }
        else if (index > Base)
        {
            dropThroughIndex = index;
            Base = index;
        }
    }
}
