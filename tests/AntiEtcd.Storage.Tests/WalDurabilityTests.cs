using Microsoft.Extensions.Time.Testing;
using static AntiEtcd.Storage.Tests.WalTestKit;

namespace AntiEtcd.Storage.Tests;

/// <summary>Group commit, persist_interval, fail-stop and crash simulation, all counted through the in-memory file system.</summary>
public sealed class WalDurabilityTests
{
    private const string Dir = "/data/wal";

    /// <summary>Blocks the first fsync after <see cref="Arm"/> until <see cref="Release"/>, so a test knows the writer is busy.</summary>
    private sealed class SyncGate : IDisposable
    {
        private readonly ManualResetEventSlim _release = new(false);
        private int _armed;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Arm(MemoryStorageFileSystem fs)
        {
            _armed = 1;
            fs.BeforeSync = _ =>
            {
                if (Interlocked.Exchange(ref _armed, 0) == 1)
                {
                    Entered.TrySetResult();
                    _release.Wait(TimeSpan.FromSeconds(30));
                }
            };
        }

        public void Release() => _release.Set();

        public void Dispose() => _release.Dispose();
    }

    [Fact]
    public async Task Concurrent_appends_waiting_for_one_fsync_share_the_next_one()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var (wal, _) = await Wal.OpenAsync(Dir, null, fs, null, ct);
        using var gate = new SyncGate();
        gate.Arm(fs);
        var syncsBefore = fs.FileSyncCount;

        var first = wal.AppendAsync(RecordKind.HardState, 0, Bytes("first"), ct);
        await gate.Entered.Task.WaitAsync(ct); // the writer is inside the first batch's fsync

        var sequences = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => wal.Append(RecordKind.HardState, 0, Bytes($"s{i}")), ct)));
        var waits = sequences.Select(s => wal.WaitAsync(s, ct)).ToArray();
        Assert.False(first.IsCompleted);
        Assert.All(waits, w => Assert.False(w.IsCompleted));

        gate.Release();
        await first;
        await Task.WhenAll(waits);
        Assert.Equal(2, fs.FileSyncCount - syncsBefore); // 101 appends, 2 fsyncs
        await wal.DisposeAsync();

        var recovery = await ReopenAsync(Dir, fs);
        Assert.Equal(101, recovery.Records.Count);
    }

    [Fact]
    public async Task With_persist_interval_zero_nothing_completes_before_its_fsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var (wal, _) = await Wal.OpenAsync(Dir, null, fs, null, ct);
        using var gate = new SyncGate();
        gate.Arm(fs);
        var wait = wal.AppendAsync(RecordKind.Entry, 1, Bytes("e1"), ct);
        await gate.Entered.Task.WaitAsync(ct);
        Assert.False(wait.IsCompleted);
        gate.Release();
        await wait;
        fs.Crash();
        Assert.Equal(["1:e1"], EntryTexts(await ReopenAsync(Dir, fs)));
        await wal.DisposeAsync();
    }

    [Fact]
    public async Task Persist_interval_completes_after_the_write_and_fsyncs_when_the_interval_elapses()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var time = new FakeTimeProvider();
        var options = new WalOptions { PersistInterval = TimeSpan.FromMilliseconds(100), TimeProvider = time };
        var (wal, _) = await Wal.OpenAsync(Dir, options, fs, null, ct);
        var syncs = fs.FileSyncCount;

        var seq = await wal.AppendAsync(RecordKind.Entry, 1, Bytes("e1"), ct);
        await wal.AppendAsync(RecordKind.Entry, 2, Bytes("e2"), ct);
        Assert.Equal(syncs, fs.FileSyncCount); // acknowledged, not yet fsynced

        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(syncs, fs.FileSyncCount);

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fs.BeforeSync = _ => started.TrySetResult();
        time.Advance(TimeSpan.FromMilliseconds(1)); // 100 ms after the first unsynced write
        await started.Task.WaitAsync(ct);
        await wal.SyncAsync(seq + 1, ct); // joins the timer's fsync
        Assert.Equal(syncs + 1, fs.FileSyncCount);

        fs.Crash();
        Assert.Equal(["1:e1", "2:e2"], EntryTexts(await ReopenAsync(Dir, fs)));
        await wal.DisposeAsync();
    }

    [Fact]
    public async Task Persist_interval_loses_acknowledged_records_in_a_machine_crash_within_the_window()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var time = new FakeTimeProvider();
        var options = new WalOptions { PersistInterval = TimeSpan.FromSeconds(1), TimeProvider = time };
        var (wal, _) = await Wal.OpenAsync(Dir, options, fs, null, ct);
        var synced = wal.Append(RecordKind.Entry, 1, Bytes("e1"));
        await wal.SyncAsync(synced, ct); // SyncAsync ignores the interval (term and vote, SPEC §8.2)
        await wal.AppendAsync(RecordKind.Entry, 2, Bytes("e2"), ct); // acknowledged

        fs.Crash();
        var recovery = await ReopenAsync(Dir, fs);
        Assert.Equal(["1:e1"], EntryTexts(recovery)); // the price of the option, as documented
        await wal.DisposeAsync();
    }

    [Fact]
    public async Task Crash_keeps_synced_records_and_drops_unsynced_ones()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var time = new FakeTimeProvider();
        var options = new WalOptions { PersistInterval = TimeSpan.FromSeconds(1), TimeProvider = time };
        var (wal, _) = await Wal.OpenAsync(Dir, options, fs, null, ct);
        await wal.SyncAsync(wal.Append(RecordKind.Entry, 1, RandomPayload(1, 300)), ct);
        await wal.AppendAsync(RecordKind.Entry, 2, RandomPayload(2, 300), ct);
        await wal.AppendAsync(RecordKind.Entry, 3, RandomPayload(3, 300), ct);

        // The power fails in the middle of the unsynced writes: 400 of their 648 bytes reached the disk.
        fs.Crash((_, unsynced) => unsynced == 648 ? 400 : 0);
        var recovery = await ReopenAsync(Dir, fs);
        Assert.Equal([1ul, 2ul], recovery.Entries.Select(e => e.Index));
        Assert.Equal("partial record payload", recovery.TornTail!.Reason); // entry 2 whole, 76 bytes of entry 3
        Assert.Single(recovery.Warnings);
        await wal.DisposeAsync();
    }

    [Fact]
    public async Task Fsync_failure_fails_the_wal_for_good_and_every_waiter()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var (wal, _) = await Wal.OpenAsync(Dir, null, fs, null, ct);
        await wal.AppendAsync(RecordKind.Entry, 1, Bytes("e1"), ct);
        using var gate = new SyncGate();
        gate.Arm(fs);
        var inFlight = wal.AppendAsync(RecordKind.Entry, 2, Bytes("e2"), ct);
        await gate.Entered.Task.WaitAsync(ct);
        var queued = wal.AppendAsync(RecordKind.Entry, 3, Bytes("e3"), ct);
        var eio = new IOException("Input/output error", 5);
        fs.SyncError = eio;
        gate.Release();

        var first = await Assert.ThrowsAsync<StorageFailedException>(() => inFlight);
        Assert.Same(eio, first.InnerException);
        var second = await Assert.ThrowsAsync<StorageFailedException>(() => queued);
        Assert.Same(eio, second.InnerException);
        Assert.Same(first, await wal.Failed);

        fs.SyncError = null; // the disk "recovers": the WAL must not
        var later = Assert.Throws<StorageFailedException>(() => wal.Append(RecordKind.Entry, 4, Bytes("e4")));
        Assert.Same(eio, later.InnerException);
        await Assert.ThrowsAsync<StorageFailedException>(() => wal.WaitAsync(1, ct));
        await Assert.ThrowsAsync<StorageFailedException>(() => wal.ReleaseBeforeAsync(1, ct));
        await wal.DisposeAsync();

        fs.Crash();
        Assert.Equal(["1:e1"], EntryTexts(await ReopenAsync(Dir, fs)));
    }

    [Fact]
    public async Task Full_disk_on_write_fails_the_wal()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var (wal, _) = await Wal.OpenAsync(Dir, null, fs, null, ct);
        var enospc = new IOException("No space left on device", 28);
        fs.WriteError = enospc;
        var ex = await Assert.ThrowsAsync<StorageFailedException>(() => wal.AppendAsync(RecordKind.Entry, 1, Bytes("e1"), ct));
        Assert.Same(enospc, ex.InnerException);
        Assert.Contains("No space left on device", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(await wal.Failed);
        await wal.DisposeAsync();
    }

    [Fact]
    public async Task Background_fsync_failure_with_a_persist_interval_is_reported_through_Failed()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var time = new FakeTimeProvider();
        var options = new WalOptions { PersistInterval = TimeSpan.FromMilliseconds(10), TimeProvider = time };
        var (wal, _) = await Wal.OpenAsync(Dir, options, fs, null, ct);
        await wal.AppendAsync(RecordKind.Entry, 1, Bytes("e1"), ct); // acknowledged before the fsync
        fs.SyncError = new IOException("Input/output error", 5);
        time.Advance(TimeSpan.FromMilliseconds(10));
        var failure = await wal.Failed.WaitAsync(ct);
        Assert.NotNull(failure);
        await wal.DisposeAsync();
    }

    [Fact]
    public async Task Failpoints_run_around_each_batch_and_a_throwing_one_fails_the_wal()
    {
        var ct = TestContext.Current.CancellationToken;
        var failpoints = new RecordingFailpoints();
        var (wal, _) = await Wal.OpenAsync(Dir, null, new MemoryStorageFileSystem(), failpoints, ct);
        await wal.AppendAsync(RecordKind.Entry, 1, Bytes("e1"), ct);
        Assert.Equal([FailpointNames.BeforeWalSave, FailpointNames.AfterWalSave], failpoints.Hits);

        failpoints.ThrowAt = FailpointNames.BeforeWalSave;
        var ex = await Assert.ThrowsAsync<StorageFailedException>(() => wal.AppendAsync(RecordKind.Entry, 2, Bytes("e2"), ct));
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        await wal.DisposeAsync();
    }

    [Fact]
    public async Task Dispose_writes_and_syncs_what_is_pending()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var time = new FakeTimeProvider();
        var (wal, _) = await Wal.OpenAsync(Dir, new WalOptions { PersistInterval = TimeSpan.FromHours(1), TimeProvider = time }, fs, null, ct);
        for (ulong i = 1; i <= 10; i++)
        {
            wal.Append(RecordKind.Entry, i, Bytes($"e{i}"));
        }

        await wal.DisposeAsync();
        fs.Crash();
        Assert.Equal(10, (await ReopenAsync(Dir, fs)).Entries.Count);
    }

    [Fact]
    public async Task Waiting_can_be_cancelled_without_unwriting()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var (wal, _) = await Wal.OpenAsync(Dir, null, fs, null, ct);
        using var gate = new SyncGate();
        gate.Arm(fs);
        using var cts = new CancellationTokenSource();
        var seq = wal.Append(RecordKind.Entry, 1, Bytes("e1"));
        var wait = wal.WaitAsync(seq, cts.Token);
        await gate.Entered.Task.WaitAsync(ct);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        gate.Release();
        await wal.WaitAsync(seq, ct);
        await wal.DisposeAsync();
        Assert.Single((await ReopenAsync(Dir, fs)).Entries);
    }

    private sealed class RecordingFailpoints : IFailpoints
    {
        public List<string> Hits { get; } = [];

        public string? ThrowAt { get; set; }

        public void Hit(string name)
        {
            lock (Hits)
            {
                Hits.Add(name);
            }

            if (name == ThrowAt)
            {
                throw new InvalidOperationException($"failpoint {name}");
            }
        }
    }
}
