namespace AntiEtcd.Raft;

/// <summary>Read access to the persisted Raft state, implemented by the application (WAL + snapshots).</summary>
/// <remarks>
/// <para>The core only reads through this interface. The application writes to its storage while it processes a
/// <see cref="Ready"/> (entries, hard state, snapshot) and then calls <see cref="RaftNode.Advance"/>; from then on
/// the storage must return what it wrote.</para>
/// <para>The log held by storage is the snapshot (covering everything up to <see cref="FirstIndex"/> − 1) followed
/// by the entries [<see cref="FirstIndex"/>, <see cref="LastIndex"/>]. An empty log has FirstIndex = 1 and
/// LastIndex = 0.</para>
/// <para>Thread-safety: called only from the thread that owns the <see cref="RaftNode"/>. The returned lists are
/// read but never modified by the core; the storage may hand out its own buffers.</para>
/// </remarks>
public interface IRaftStorage
{
    /// <summary>The first index still held as an entry; everything before it is in the snapshot.</summary>
    ulong FirstIndex { get; }

    /// <summary>The index of the last persisted entry (or of the snapshot when no entry follows it).</summary>
    ulong LastIndex { get; }

    /// <summary>The persisted hard state, read once when a node starts.</summary>
    HardState InitialState();

    /// <summary>The term of the entry at <paramref name="index"/>.</summary>
    /// <param name="index">In [<see cref="FirstIndex"/> − 1, <see cref="LastIndex"/>]; FirstIndex − 1 is the snapshot's index and yields its term.</param>
    ulong Term(ulong index);

    /// <summary>The entries [<paramref name="lo"/>, <paramref name="hi"/>), stopping early once <paramref name="maxSize"/> bytes are reached.</summary>
    /// <param name="lo">At least <see cref="FirstIndex"/>.</param>
    /// <param name="hi">At most <see cref="LastIndex"/> + 1.</param>
    /// <param name="maxSize">Size limit in bytes (see <see cref="Entry.Size"/>); at least one entry is returned when lo &lt; hi.</param>
    IReadOnlyList<Entry> Entries(ulong lo, ulong hi, ulong maxSize);

    /// <summary>The most recent snapshot, sent to followers that are behind <see cref="FirstIndex"/>.</summary>
    Snapshot GetSnapshot();
}
