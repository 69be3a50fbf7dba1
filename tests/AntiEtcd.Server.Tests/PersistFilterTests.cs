using System.Text;
using AntiEtcd.Api;
using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Tests;

/// <summary>
/// SPEC §9.4 on one node with <c>--data</c>: what the persist filter keeps out of the data
/// directory, and the volatile reset that makes the loss visible after a restart.
/// </summary>
public sealed class PersistFilterTests : IDisposable
{
    private const string Volatile1 = "VOLATILE-VALUE-ONE";
    private const string Volatile2 = "VOLATILE-VALUE-TWO";
    private const string Secret = "SECRET-VALUE-XYZ";
    private static readonly CancellationToken s_ct = TestContext.Current.CancellationToken;
    private readonly string _path = Path.Combine(Path.GetTempPath(), "antietcd-filter-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_path))
        {
            Directory.Delete(_path, recursive: true);
        }
    }

    /// <summary>Keys under <c>stats/</c> are volatile; <c>secret</c> is stored as <c>redacted</c>.</summary>
    private static PersistDecision Filter(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
        key.StartsWith("stats/"u8) ? PersistDecision.Volatile
        : key.SequenceEqual("secret"u8) ? PersistDecision.Replace("redacted"u8.ToArray())
        : PersistDecision.Persist;

    private AntiEtcdServer NewServer(PersistFilter? filter, int snapshotEntries = 10000, ILoggerFactory? logs = null) =>
        new(new AntiEtcdOptions { Port = 0, Data = _path, PersistFilter = filter, SnapshotEntries = snapshotEntries }, logs)
        {
            // A stop without its snapshot leaves the WAL alone, as a crash would.
            SnapshotOnStop = false,
        };

    private static PutRequest Put(string key, string value, long lease = 0) =>
        new() { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value), Lease = lease };

    private static RequestOp PutOp(string key, string value) => new() { RequestPut = Put(key, value) };

    /// <summary>The writes every test makes: revision 2 to 8; stats/* are volatile, secret is replaced.</summary>
    private static async Task WriteMixAsync(AntiEtcdServer server)
    {
        await server.PutAsync("config/a", "1", s_ct);                                  // 2
        await server.PutAsync("stats/x", Volatile1, s_ct);                             // 3
        await server.PutAsync("secret", Secret, s_ct);                                 // 4
        var txn = await server.TxnAsync(new TxnRequest                                 // 5: success branch
        {
            Compare = [new Compare { Key = "config/a"u8.ToArray(), Target = CompareTarget.Version, Result = CompareResult.Equal, Version = 1 }],
            Success = [PutOp("stats/y", Volatile2), PutOp("config/b", "2")],
            Failure = [PutOp("config/never", "x")],
        }, null, s_ct);
        Assert.True(txn.Succeeded);
        await server.LeaseGrantAsync(new LeaseGrantRequest { Id = 7, Ttl = 100 }, null, s_ct);
        await server.PutAsync(Put("stats/leased", Volatile1, lease: 7), null, s_ct);   // 6
        await server.PutAsync(new PutRequest { Key = "stats/x"u8.ToArray(), IgnoreValue = true }, null, s_ct); // 7: keeps the volatile value
        await server.PutAsync("config/a", "3", s_ct);                                  // 8
    }

    private void AssertNoVolatileBytesOnDisk()
    {
        foreach (var file in Directory.EnumerateFiles(_path, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) == "lock")
            {
                continue;
            }

            var text = Encoding.Latin1.GetString(File.ReadAllBytes(file));
            Assert.DoesNotContain(Volatile1, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Volatile2, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        }
    }

    private static async Task AssertResetStateAsync(AntiEtcdServer server, long revisionBefore)
    {
        var all = await server.RangeAsync(new RangeRequest { Key = new byte[] { 0 }, RangeEnd = new byte[] { 0 } }, null, s_ct);
        Assert.Equal(revisionBefore + 2, all.Header.Revision);
        Assert.Equal(["config/a", "config/b", "secret"], all.Kvs.Select(kv => Encoding.UTF8.GetString(kv.Key.Span)));
        var a = all.Kvs[0];
        Assert.Equal(("3", 2L, 8L, 2L), (Encoding.UTF8.GetString(a.Value.Span), a.CreateRevision, a.ModRevision, a.Version));
        Assert.Equal("redacted", Encoding.UTF8.GetString(all.Kvs[2].Value.Span));

        // History before the reset is compacted: a client that saw an older revision learns that it lost track.
        var compacted = await Assert.ThrowsAsync<AntiEtcdRequestException>(() =>
            server.RangeAsync(new RangeRequest { Key = "config/a"u8.ToArray(), Revision = revisionBefore + 1 }, null, s_ct));
        Assert.Equal(11, compacted.GrpcCode);
        Assert.Equal(revisionBefore + 2, (await server.StatusAsync(s_ct)).CompactRevision);

        // Leases persist even when every key on them was volatile.
        Assert.Equal(100, (await server.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { Id = 7 }, null, s_ct)).GrantedTtl);
    }

    [Fact]
    public async Task Volatile_values_never_reach_the_log_and_a_restart_resets_to_the_persisted_form()
    {
        await using (var server = NewServer(Filter))
        {
            await server.StartAsync(s_ct);
            await WriteMixAsync(server);

            // In memory every write is complete.
            Assert.Equal(Volatile1, Encoding.UTF8.GetString(Assert.Single((await server.RangeAsync("stats/x", s_ct)).Kvs).Value.Span));
            Assert.Equal(Secret, Encoding.UTF8.GetString(Assert.Single((await server.RangeAsync("secret", s_ct)).Kvs).Value.Span));
        }

        AssertNoVolatileBytesOnDisk();
        Assert.True(File.Exists(Path.Combine(_path, "flag.filtered")), "the directory does not record the filtered writes");

        var logs = new CapturedLogs();
        await using (var restarted = NewServer(Filter, logs: logs))
        {
            await restarted.StartAsync(s_ct);
            await AssertResetStateAsync(restarted, revisionBefore: 8);
            Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.StartsWith("volatile reset:", StringComparison.Ordinal)
                && l.Message.Contains("revision 10, 3 keys kept, 3 volatile keys dropped", StringComparison.Ordinal));
            Assert.Equal(11, (await restarted.PutAsync("config/c", "4", s_ct)).Header.Revision);
        }

        // The reset is in the log: the next start replays it and resets again from there.
        await using var again = NewServer(Filter);
        await again.StartAsync(s_ct);
        var c = Assert.Single((await again.RangeAsync("config/c", s_ct)).Kvs);
        Assert.Equal(11, c.ModRevision);
        Assert.Equal(13, (await again.StatusAsync(s_ct)).Header.Revision);
    }

    [Fact]
    public async Task Filtered_snapshots_hold_no_volatile_value_and_recover_the_same_way()
    {
        await using (var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = _path, PersistFilter = Filter, SnapshotEntries = 3 }))
        {
            await server.StartAsync(s_ct);
            await WriteMixAsync(server);
        }

        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(_path, "snap")));
        AssertNoVolatileBytesOnDisk();

        await using var restarted = NewServer(Filter);
        await restarted.StartAsync(s_ct);
        await AssertResetStateAsync(restarted, revisionBefore: 8);
    }

    [Fact]
    public async Task A_failure_branch_and_a_later_persistent_write_are_tracked()
    {
        await using (var server = NewServer(Filter))
        {
            await server.StartAsync(s_ct);
            await server.PutAsync("stats/a", Volatile1, s_ct);                               // 2
            await server.TxnAsync(new TxnRequest                                            // 3: failure branch
            {
                Compare = [new Compare { Key = "missing"u8.ToArray(), Target = CompareTarget.Version, Result = CompareResult.Greater, Version = 0 }],
                Success = [PutOp("kept/never", "x")],
                Failure = [PutOp("stats/b", Volatile2), PutOp("kept/1", "1")],
            }, null, s_ct);
            await server.DeleteRangeAsync(new DeleteRangeRequest { Key = "stats/a"u8.ToArray() }, null, s_ct); // 4
        }

        await using var restarted = NewServer(Filter);
        await restarted.StartAsync(s_ct);
        var all = await restarted.RangeAsync(new RangeRequest { Key = new byte[] { 0 }, RangeEnd = new byte[] { 0 } }, null, s_ct);
        Assert.Equal(["kept/1"], all.Kvs.Select(kv => Encoding.UTF8.GetString(kv.Key.Span)));
        Assert.Equal(6, all.Header.Revision);
    }

    [Fact]
    public async Task A_directory_with_filtered_writes_resets_even_without_a_filter_now()
    {
        await using (var server = NewServer(Filter))
        {
            await server.StartAsync(s_ct);
            await server.PutAsync("stats/x", Volatile1, s_ct);
            await server.PutAsync("config/a", "1", s_ct);
        }

        await using var restarted = NewServer(null);
        await restarted.StartAsync(s_ct);
        var all = await restarted.RangeAsync(new RangeRequest { Key = new byte[] { 0 }, RangeEnd = new byte[] { 0 } }, null, s_ct);
        Assert.Equal(["config/a"], all.Kvs.Select(kv => Encoding.UTF8.GetString(kv.Key.Span)));
        Assert.Equal(5, all.Header.Revision);
    }

    [Fact]
    public async Task A_filter_that_persists_everything_changes_nothing()
    {
        await using (var server = NewServer(static (_, _) => PersistDecision.Persist))
        {
            await server.StartAsync(s_ct);
            await server.PutAsync("stats/x", "1", s_ct);
        }

        Assert.False(File.Exists(Path.Combine(_path, "flag.filtered")));
        await using var restarted = NewServer(static (_, _) => PersistDecision.Persist);
        await restarted.StartAsync(s_ct);
        var x = Assert.Single((await restarted.RangeAsync("stats/x", s_ct)).Kvs);
        Assert.Equal(2, x.ModRevision);
        Assert.Equal(2, (await restarted.StatusAsync(s_ct)).Header.Revision);
    }

    [Fact]
    public async Task A_filter_that_throws_stores_the_write_as_is_with_a_warning()
    {
        var logs = new CapturedLogs();
        await using (var server = NewServer(static (_, _) => throw new InvalidOperationException("filter bug"), logs: logs))
        {
            await server.StartAsync(s_ct);
            await server.PutAsync("stats/x", "1", s_ct);
        }

        Assert.True(logs.Has(LogLevel.Warning, "persist_filter threw; the write is stored as is"), string.Join("\n", logs.Lines));
        await using var restarted = NewServer(null);
        await restarted.StartAsync(s_ct);
        Assert.Single((await restarted.RangeAsync("stats/x", s_ct)).Kvs);
    }

    [Fact]
    public async Task Without_data_the_filter_is_ignored_with_a_warning()
    {
        var logs = new CapturedLogs();
        await using var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, PersistFilter = Filter }, logs);
        await server.StartAsync(s_ct);
        await server.PutAsync("stats/x", "1", s_ct);
        Assert.True(logs.Has(LogLevel.Warning, "persist_filter is ignored without --data"), string.Join("\n", logs.Lines));
    }

    [Fact]
    public async Task The_filter_class_is_loaded_from_an_assembly_with_the_options()
    {
        var spec = typeof(TestPersistFilterFactory).Assembly.Location + ":" + typeof(TestPersistFilterFactory).FullName;
        await using (var server = new AntiEtcdServer(AntiEtcdOptions.Parse(["--port", "0", "--data", _path, "--persist_filter", spec, "--volatile_prefix", "tmp/"])))
        {
            await server.StartAsync(s_ct);
            await server.PutAsync("tmp/x", Volatile1, s_ct);
            await server.PutAsync("keep", "1", s_ct);
        }

        AssertNoVolatileBytesOnDisk();
        await using var restarted = new AntiEtcdServer(AntiEtcdOptions.Parse(["--port", "0", "--data", _path, "--persist_filter", spec, "--volatile_prefix", "tmp/"]));
        await restarted.StartAsync(s_ct);
        Assert.Empty((await restarted.RangeAsync("tmp/x", s_ct)).Kvs);
        Assert.Single((await restarted.RangeAsync("keep", s_ct)).Kvs);

        var missing = new AntiEtcdServer(AntiEtcdOptions.Parse(["--port", "0", "--data", _path + "-other", "--persist_filter", "/nonexistent/filter.dll:X.Y"]));
        var startError = await Assert.ThrowsAsync<ArgumentException>(() => missing.StartAsync(s_ct));
        Assert.Contains("persist_filter", startError.Message, StringComparison.Ordinal);
    }
}
