using AntiEtcd.Raft;
using AntiEtcd.Server.Node;
using AntiEtcd.Storage;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>
/// <see cref="RaftPersistence"/>: a node's own snapshot is saved beside the Raft loop, and a leader's snapshot can
/// arrive while that save runs; the snapshot store takes one save at a time.
/// </summary>
public sealed class RaftPersistenceTests
{
    [Fact]
    public async Task A_leaders_snapshot_waits_for_the_nodes_own_snapshot_still_being_saved()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        using var gate = new GateOnFirstSnapshotSave();
        var snapshots = SnapshotStore.Open("/d/snap", fs, gate);
        var (wal, _) = Wal.Open("/d/wal", null, fs, null);
        await using (wal)
        {
            var persistence = new RaftPersistence(wal, snapshots, syncEntries: true, new RaftPersistedForm(static e => e, static s => s.Data));
            var voters = new[] { new NodeId(1), new NodeId(2), new NodeId(3) };

            // The node's own snapshot at 10; its save stops at the store's first step until the gate opens.
            var own = persistence.SaveSnapshotAsync(new Snapshot(new SnapshotMetadata(10, 2, voters), "own"u8.ToArray()), "own"u8.ToArray());
            await gate.Reached.WaitAsync(ct);

            // A leader's snapshot at 20 arrives meanwhile: before the fix, the store refused the overlapping save and the
            // Raft loop, hence the node, failed ("a snapshot save is already running").
            var leaders = persistence.PersistAsync(new Ready { Snapshot = new Snapshot(new SnapshotMetadata(20, 3, voters), "leader"u8.ToArray()), MustSync = true });
            Assert.False(leaders.IsCompleted);
            gate.Open();
            await own.WaitAsync(ct);
            await leaders.WaitAsync(ct);

            var loaded = SnapshotStore.Open("/d/snap", fs).LoadNewestValid();
            Assert.Equal((20ul, 3ul), (loaded.Snapshot!.Index, loaded.Snapshot.Term));
            Assert.Equal("leader"u8.ToArray(), loaded.Snapshot.Data.ToArray());
        }

        var (reopened, recovery) = Wal.Open("/d/wal", null, fs, null);
        await using (reopened)
        {
            Assert.Equal(20ul, recovery.Snapshot!.Value.Index);
        }
    }

    /// <summary>Holds the first snapshot save at <see cref="FailpointNames.BeforeSnapshotSave"/> until <see cref="Open"/>.</summary>
    private sealed class GateOnFirstSnapshotSave : IFailpoints, IDisposable
    {
        private readonly ManualResetEventSlim _open = new();
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _hits;

        public Task Reached => _reached.Task;

        public void Open() => _open.Set();

        public void Hit(string name)
        {
            if (name == FailpointNames.BeforeSnapshotSave && Interlocked.Increment(ref _hits) == 1)
            {
                _reached.TrySetResult();
                _open.Wait(TimeSpan.FromSeconds(30));
            }
        }

        public void Dispose() => _open.Dispose();
    }
}
