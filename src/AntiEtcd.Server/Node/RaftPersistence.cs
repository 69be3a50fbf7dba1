using AntiEtcd.Raft;
using AntiEtcd.Storage;

namespace AntiEtcd.Server.Node;

/// <summary>
/// A cluster node's durable Raft state (SPEC §8.2, §9.2): entries, hard state and snapshot records in the WAL, snapshot
/// images in the snapshot store. Used only by the <see cref="RaftLoop"/>, which persists each Ready here before it sends
/// what promises durability (docs/raft.md).
/// </summary>
/// <param name="wal">The WAL.</param>
/// <param name="snapshots">The snapshot files.</param>
/// <param name="syncEntries">Whether entries are fsynced before they are acknowledged (<c>persist_interval</c> 0).</param>
/// <param name="persistedForm">
/// The entry to log for an entry, and the image to store for a leader's snapshot: their persisted form with a persist
/// filter, and in any case what keeps the directory's filtered flag true (SPEC §9.4).
/// </param>
internal sealed class RaftPersistence(Wal wal, SnapshotStore snapshots, bool syncEntries, RaftPersistedForm persistedForm)
{
    // The last save of this node's own snapshot, which runs beside the loop. The snapshot store takes one save at a time,
    // so a leader's snapshot arriving meanwhile waits for it. Both are started on the Raft loop only.
    private Task _ownSnapshotSave = Task.CompletedTask;

    /// <summary>The WAL.</summary>
    public Wal Wal => wal;

    /// <summary>
    /// Writes a Ready's snapshot, entries and hard state, then waits until they are durable: fsynced when the term, the
    /// vote or a snapshot changed (always, SPEC §8.2) or when <c>persist_interval</c> is 0; written otherwise.
    /// </summary>
    public async Task PersistAsync(Ready ready)
    {
        long sequence = 0;
        var sync = syncEntries;
        if (ready.Snapshot is { } snapshot)
        {
            // A failed save of our own has already failed the node (RaftLoop reports it); this one then fails on its own.
            await _ownSnapshotSave.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await snapshots.SaveAsync(snapshot.Index, snapshot.Term, persistedForm.StoredImage(snapshot), CancellationToken.None).ConfigureAwait(false);
            sequence = wal.Append(RecordKind.Snapshot, snapshot.Index, RaftEntryCodec.EncodeSnapshotTerm(snapshot.Term));
            sync = true;
        }

        foreach (var entry in ready.Entries)
        {
            sequence = wal.Append(RecordKind.Entry, entry.Index, RaftEntryCodec.EncodeEntry(persistedForm.StoredEntry(entry)));
        }

        if (ready.HardState is { } state)
        {
            sequence = wal.Append(RecordKind.HardState, 0, RaftEntryCodec.EncodeHardState(state));
        }

        if (sequence == 0 || !ready.MustSync)
        {
            // A commit-only hard state may reach the disk later: a lost commit index is learnt again from the leader.
            return;
        }

        // MustSync with no snapshot and no entries means the term or the vote changed. The Raft loop continues on the WAL's
        // writer thread: under load it runs there from Ready to Ready, without a thread switch per batch.
        sync |= ready.Entries.Count == 0;
        await wal.WaitOnWriterAsync(sequence, sync).ConfigureAwait(false);
    }

    /// <summary>
    /// Saves a snapshot this node took of its own state, records it in the WAL and releases the segments it covers.
    /// Runs beside the loop: the log entries stay in memory until <see cref="RaftLoop"/> compacts them.
    /// </summary>
    /// <param name="snapshot">The snapshot, as recorded in the in-memory log.</param>
    /// <param name="diskImage">The image to store: its persisted form (SPEC §9.4), taken with it.</param>
    public Task SaveSnapshotAsync(Snapshot snapshot, ReadOnlyMemory<byte> diskImage)
    {
        var save = SaveOwnSnapshotAsync(snapshot, diskImage);
        _ownSnapshotSave = save;
        return save;
    }

    private async Task SaveOwnSnapshotAsync(Snapshot snapshot, ReadOnlyMemory<byte> diskImage)
    {
        await snapshots.SaveAsync(snapshot.Index, snapshot.Term, diskImage, CancellationToken.None).ConfigureAwait(false);
        var sequence = wal.Append(RecordKind.Snapshot, snapshot.Index, RaftEntryCodec.EncodeSnapshotTerm(snapshot.Term));
        await wal.WaitAsync(sequence, CancellationToken.None).ConfigureAwait(false);
        await wal.ReleaseBeforeAsync(snapshot.Index + 1, CancellationToken.None).ConfigureAwait(false);
    }
}
