namespace AntiEtcd.Server.Node;

/// <summary>The kind of a logged write (<see cref="Command"/>).</summary>
/// <remarks>
/// Persisted in every WAL entry: the values are frozen by a golden test, and changing or reusing
/// one means a new <see cref="CommandCodec.FormatVersion"/>.
/// </remarks>
internal enum CommandType : byte
{
    /// <summary>A put (<see cref="Command.Put"/>).</summary>
    Put = 1,

    /// <summary>A delete range (<see cref="Command.DeleteRange"/>).</summary>
    DeleteRange = 2,

    /// <summary>A txn with at least one write (<see cref="Command.Txn"/>).</summary>
    Txn = 3,

    /// <summary>A compaction to <see cref="Command.Revision"/>.</summary>
    Compact = 4,

    /// <summary>A lease grant of <see cref="Command.LeaseId"/> with <see cref="Command.Ttl"/>.</summary>
    LeaseGrant = 5,

    /// <summary>A lease revoke of <see cref="Command.LeaseId"/> (a client's or the leader's expiry).</summary>
    LeaseRevoke = 6,

    /// <summary>
    /// An import of an original antietcd data file (SPEC §9.6): <see cref="Command.Keys"/> at the
    /// file's revision <see cref="Command.Revision"/>; applied only to an empty store.
    /// </summary>
    Import = 7,

    /// <summary>
    /// A volatile reset (SPEC §9.4): the whole state (<see cref="Command.Keys"/> with their leases,
    /// <see cref="Command.Leases"/>) replaces the store at revision <see cref="Command.Revision"/>,
    /// which is also the new compaction point.
    /// </summary>
    VolatileReset = 8,
}
