namespace AntiEtcd.Storage;

/// <summary>The names passed to <see cref="IFailpoints.Hit"/> by this library (after etcd's raftBeforeSave family).</summary>
public static class FailpointNames
{
    /// <summary>Before a batch of WAL records is written.</summary>
    public const string BeforeWalSave = "BeforeWalSave";

    /// <summary>After a batch is written (and fsynced, if required), before its waiters complete.</summary>
    public const string AfterWalSave = "AfterWalSave";

    /// <summary>Before a snapshot's temporary file is created.</summary>
    public const string BeforeSnapshotSave = "BeforeSnapshotSave";

    /// <summary>After a snapshot is renamed into place, before the directory is fsynced.</summary>
    public const string AfterSnapshotRename = "AfterSnapshotRename";
}
