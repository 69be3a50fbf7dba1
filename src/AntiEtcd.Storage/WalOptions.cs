namespace AntiEtcd.Storage;

/// <summary>Settings of a <see cref="Wal"/>.</summary>
public sealed class WalOptions
{
    /// <summary>The maximum delay of the fsync after a write; zero (the default) fsyncs before any waiter completes.</summary>
    /// <remarks>
    /// SPEC §9.2 <c>persist_interval</c>. With X &gt; 0, <see cref="Wal.WaitAsync"/> completes once a record is written
    /// (not yet fsynced) and the writer fsyncs X after the first unsynced write, so a machine crash may lose records
    /// written in the last X (plus one fsync's duration), acknowledged or not. <see cref="Wal.SyncAsync"/> ignores it.
    /// </remarks>
    public TimeSpan PersistInterval { get; init; } = TimeSpan.Zero;

    /// <summary>The size in bytes at which the active segment is closed and a new one started; default 64 MiB.</summary>
    /// <remarks>A segment may exceed it by one batch. Smaller segments let <see cref="Wal.ReleaseBeforeAsync"/> free space sooner.</remarks>
    public long SegmentSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>The clock that times <see cref="PersistInterval"/>; <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Called on the WAL's writer thread after each fsync of the active segment with its duration
    /// (for the <c>antietcd_wal_fsync_duration_seconds</c> histogram). Must be quick and must not throw.
    /// </summary>
    public Action<TimeSpan>? SyncObserver { get; init; }
}
