using AntiEtcd.Api;
using AntiEtcd.Storage;

namespace AntiEtcd.Server.Tests;

/// <summary>SPEC §9 through the embedded server: recovery, and fail-stop through the file-system seam.</summary>
public sealed class DurabilityTests : IDisposable
{
    private static readonly CancellationToken s_ct = TestContext.Current.CancellationToken;
    private readonly string _path = Path.Combine(Path.GetTempPath(), "antietcd-durability-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    [Fact]
    public async Task A_failed_fsync_stops_the_node_and_nothing_unwritten_is_acknowledged()
    {
        var disk = new MemoryStorageFileSystem();
        var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = _path }) { StorageFileSystem = disk };
        await server.StartAsync(s_ct);
        await server.PutAsync("a", "1", s_ct);

        disk.SyncError = new IOException("EIO (injected)");
        var failed = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => server.PutAsync("b", "2", s_ct));
        Assert.Equal(502, failed.Code);

        // Failed (SPEC §13.3): Completion faults with the cause and every later call gets 502.
        var cause = await Assert.ThrowsAnyAsync<Exception>(() => server.Completion.WaitAsync(TimeSpan.FromSeconds(30), s_ct));
        Assert.IsType<StorageFailedException>(cause, exactMatch: false);
        Assert.Equal(502, (await Assert.ThrowsAsync<AntiEtcdRequestException>(() => server.RangeAsync("a", s_ct))).Code);
        await server.DisposeAsync();

        // The write that failed was never applied, so a restart (disk healthy again) lacks it.
        disk.SyncError = null;
        await using var restarted = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = _path }) { StorageFileSystem = disk };
        await restarted.StartAsync(s_ct);
        Assert.Single((await restarted.RangeAsync("a", s_ct)).Kvs);
    }

    [Fact]
    public async Task A_snapshot_that_cannot_be_written_stops_the_node_and_the_log_still_holds_every_write()
    {
        // SPEC §9.2: a storage error at run time stops the node, the snapshot's included. Only the snapshot's fsync
        // fails here (its temporary file), so the WAL keeps working until the node stops.
        var disk = new MemoryStorageFileSystem();
        var snapshotFailed = new IOException("EIO (injected, snapshot)");
        disk.BeforeSync = path =>
        {
            if (path.Contains(".snap", StringComparison.Ordinal))
            {
                throw snapshotFailed;
            }
        };
        var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = _path, SnapshotEntries = 5 }) { StorageFileSystem = disk, SnapshotOnStop = false };
        await server.StartAsync(s_ct);
        var acknowledged = 0;
        try
        {
            for (; acknowledged < 100; acknowledged++)
            {
                await server.PutAsync("k" + acknowledged, "v", s_ct);
            }
        }
        catch (AntiEtcdRequestException ex)
        {
            Assert.Equal(502, ex.Code);
        }

        var cause = await Assert.ThrowsAnyAsync<Exception>(() => server.Completion.WaitAsync(TimeSpan.FromSeconds(30), s_ct));
        Assert.Same(snapshotFailed, cause is StorageFailedException { InnerException: { } inner } ? inner : cause);
        Assert.Equal(502, (await Assert.ThrowsAsync<AntiEtcdRequestException>(() => server.PutAsync("late", "v", s_ct))).Code);
        await server.DisposeAsync();

        // No snapshot replaced the log, so a restart on a healthy disk replays every acknowledged write from the WAL.
        disk.BeforeSync = null;
        await using var restarted = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = _path }) { StorageFileSystem = disk };
        await restarted.StartAsync(s_ct);
        Assert.True(acknowledged >= 5, $"only {acknowledged} puts before the node stopped");
        for (var i = 0; i < acknowledged; i++)
        {
            Assert.Single((await restarted.RangeAsync("k" + i, s_ct)).Kvs);
        }
    }

    [Fact]
    public async Task History_leases_and_revision_survive_a_restart_with_snapshots()
    {
        var options = new AntiEtcdOptions { Port = 0, Data = _path, SnapshotEntries = 7 };
        await using (var server = new AntiEtcdServer(options))
        {
            await server.StartAsync(s_ct);
            await server.LeaseGrantAsync(new LeaseGrantRequest { Id = 5, Ttl = 100 }, null, s_ct);
            for (var i = 0; i < 30; i++)
            {
                await server.PutAsync(new PutRequest { Key = "k"u8.ToArray(), Value = BitConverter.GetBytes(i), Lease = i % 2 == 0 ? 5 : 0 }, null, s_ct);
            }

            await server.CompactAsync(new CompactionRequest { Revision = 10 }, null, s_ct);
        }

        await using var restarted = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = _path, SnapshotEntries = 7 });
        await restarted.StartAsync(s_ct);
        var now = await restarted.RangeAsync("k", s_ct);
        Assert.Equal(31, now.Header.Revision);
        Assert.Equal(29, BitConverter.ToInt32(Assert.Single(now.Kvs).Value.Span));
        var old = await restarted.RangeAsync(new RangeRequest { Key = "k"u8.ToArray(), Revision = 12 }, null, s_ct);
        Assert.Equal(10, BitConverter.ToInt32(Assert.Single(old.Kvs).Value.Span));
        var compacted = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => restarted.RangeAsync(new RangeRequest { Key = "k"u8.ToArray(), Revision = 9 }, null, s_ct));
        Assert.Equal(11, compacted.GrpcCode);
        var lease = await restarted.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { Id = 5 }, null, s_ct);
        Assert.Equal(100, lease.GrantedTtl);
        Assert.True(Directory.EnumerateFiles(Path.Combine(_path, "snap")).Any(), "no snapshot was written");

        // A watch resumed after the restart replays the retained history.
        var events = new List<Event>();
        await restarted.CreateWatchAsync(new WatchCreateRequest { Key = "k"u8.ToArray(), StartRevision = 29 }, m =>
        {
            lock (events)
            {
                events.AddRange(m.Events);
            }

            return ValueTask.CompletedTask;
        }, null, s_ct);
        await restarted.RequestProgressAsync(s_ct);
        lock (events)
        {
            Assert.Equal([29L, 30L, 31L], events.Select(e => e.Kv.ModRevision));
        }
    }

    [Fact]
    public async Task A_graceful_stop_leaves_a_snapshot_of_everything_applied()
    {
        await using (var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = _path }))
        {
            await server.StartAsync(s_ct);
            for (var i = 0; i < 12; i++)
            {
                await server.PutAsync("k" + i, "v", s_ct);
            }

            // Every durable write waited for an fsync, and each fsync was timed.
            using var http = new HttpClient();
            var metrics = await http.GetStringAsync($"http://127.0.0.1:{server.LocalPort}/metrics", s_ct);
            var count = metrics.Split('\n').Single(l => l.StartsWith("antietcd_wal_fsync_duration_seconds_count", StringComparison.Ordinal));
            Assert.True(long.Parse(count.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 0, count);
        }

        // 12 writes, the default snapshot_entries of 10000 never reached: the stop wrote index 12.
        Assert.Contains(Path.Combine(_path, "snap", "snap-000000000000000c-0000000000000001.snap"), Directory.GetFiles(Path.Combine(_path, "snap")));
        await using var restarted = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = _path });
        await restarted.StartAsync(s_ct);
        Assert.Equal(13, (await restarted.StatusAsync(s_ct)).Header.Revision);
    }

    [Fact]
    public async Task A_second_process_on_the_same_directory_is_refused()
    {
        await using var first = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = _path });
        await first.StartAsync(s_ct);
        var second = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = _path });
        var error = await Assert.ThrowsAnyAsync<IOException>(() => second.StartAsync(s_ct));
        Assert.Contains("data directory is locked by another process", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_snapshot_interval_grows_with_the_key_count()
    {
        // snapshot_entries 5, but 400 keys: a snapshot every 100 writes (a quarter of the key count),
        // so the cost of a snapshot per write does not grow with the store.
        var snap = Path.Combine(_path, "snap");
        await using var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = _path, SnapshotEntries = 5 }) { SnapshotOnStop = false };
        await server.StartAsync(s_ct);
        for (var batch = 0; batch < 4; batch++)
        {
            var ops = Enumerable.Range(0, 100).Select(i => new RequestOp
            {
                RequestPut = new PutRequest { Key = System.Text.Encoding.UTF8.GetBytes($"k{batch:D1}{i:D3}"), Value = "v"u8.ToArray() },
            }).ToArray();
            await server.TxnAsync(new TxnRequest { Success = ops }, null, s_ct);
        }

        // 4 entries so far, below both bounds; 90 more are still below 100.
        for (var i = 0; i < 90; i++)
        {
            await server.PutAsync("k0000", "w", s_ct);
        }

        Assert.Empty(Directory.EnumerateFiles(snap));
        for (var i = 0; i < 10; i++)
        {
            await server.PutAsync("k0000", "w", s_ct);
        }

        // The stop waits for the snapshot being written in the background (and writes none of its own).
        await server.StopAsync(s_ct);
        Assert.Single(Directory.EnumerateFiles(snap, "*.snap"));
    }
}
