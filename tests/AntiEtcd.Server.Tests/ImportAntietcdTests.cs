using System.Text;
using System.Text.Json.Nodes;
using AntiEtcd.Api;
using AntiEtcd.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AntiEtcd.Server.Tests;

/// <summary>
/// <c>--import_antietcd</c> (SPEC §9.6) on one node: a file really written by antietcd 1.3.1
/// (TestData/make-antietcd-data.sh), plain JSON with defaults, unreadable files, the skip on a
/// non-empty store, the pending flag with <c>--data</c>, and readiness while the import is pending.
/// </summary>
public sealed class ImportAntietcdTests : IDisposable
{
    private const string Applied9 = "import_antietcd: applied 9 keys at revision 18";
    private const string Skipped = "import_antietcd: skipped, the cluster is not empty";
    private const string Ignored = "--import_antietcd ignored: the data directory already holds cluster state";

    private static readonly CancellationToken s_ct = TestContext.Current.CancellationToken;
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("antietcd-import-");

    /// <summary>Every key of the committed file, as `key=value@create/mod/version` in key order (the binary value checked apart).</summary>
    private const string ExpectedKeys =
        "/a b/ü=unicode key@10/10/1 "
        + "/bin/blob=<binary>@8/8/1 "
        + "/config/global={\"immediate_commit\":\"all\"}@1/1/1 "
        + "/config/number=42@14/14/1 "
        + "/config/object={\"a\":\"x\",\"b\":[1,2,{\"c\":null}]}@13/13/1 "
        + "/config/pools={\"1\":{\"name\":\"testpool\"}}@2/2/1 "
        + "/config/text=plain 2@15/16/2 "
        + "/empty=@9/9/1 "
        + "/node/1/state=up again@3/7/3";

    // antietcd decoded the base64 into a JavaScript string: the 0xFF byte became U+FFFD.
    private static readonly byte[] s_blob = Encoding.UTF8.GetBytes("a\0\u0001\u0002\n\tприв\uFFFDz");

    private string DataPath => Path.Combine(_temp.FullName, "data");

    public void Dispose() => _temp.Delete(recursive: true);

    /// <summary>The committed antietcd 1.3.1 file (found from the repository root: source paths are mapped in CI builds).</summary>
    internal static string RealFile => Path.Combine(Golden.RepoPaths.Root, "tests", "AntiEtcd.Server.Tests", "TestData", "antietcd-1.3.1-data.gz");

    [Fact]
    public async Task Real_antietcd_file_is_imported_in_memory()
    {
        var logs = new CapturedLogs();
        await using var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, ImportAntietcd = RealFile }, logs);
        await server.StartAsync(s_ct);

        var all = await AllAsync(server);
        Assert.Equal(ExpectedKeys, Dump(all));
        Assert.Equal(s_blob, all.Kvs[1].Value.ToArray());
        Assert.Equal(18, all.Header.Revision);
        Assert.True(logs.Has(LogLevel.Information, Applied9), string.Join("\n", logs.Lines));

        var status = await server.StatusAsync(s_ct);
        Assert.Equal("applied", status.ImportState);
        Assert.Equal(18, status.CompactRevision);

        // Nothing before the import can be read; later writes continue from its revision.
        var compacted = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => server.RangeAsync(new RangeRequest { Key = B("/empty"), Revision = 17 }, null, s_ct));
        Assert.Equal(11, compacted.GrpcCode);
        var put = await server.PutAsync("/config/text", "plain 3", s_ct);
        Assert.Equal(19, put.Header.Revision);
        Assert.Equal("/config/text=plain 3@15/19/3", Dump((await server.RangeAsync("/config/text", s_ct)).Kvs));

        // The HTTP status shows the outcome too (SPEC §6.1).
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.LocalPort}") };
        var body = await (await http.PostAsync("/v3/maintenance/status", new StringContent("{}"), s_ct)).Content.ReadAsStringAsync(s_ct);
        Assert.Equal("applied", JsonNode.Parse(body)!["importState"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_data_the_import_happens_once_and_a_later_start_ignores_the_option()
    {
        var logs = new CapturedLogs();
        await using (var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = DataPath, ImportAntietcd = RealFile }, logs))
        {
            await server.StartAsync(s_ct);
            Assert.Equal(ExpectedKeys, Dump(await AllAsync(server)));
            Assert.Equal("applied", (await server.StatusAsync(s_ct)).ImportState);
            Assert.False(File.Exists(Path.Combine(DataPath, "flag." + AntiEtcdServer.ImportPendingFlag)));
            await server.PutAsync("/after", "x", s_ct);
        }

        Assert.True(logs.Has(LogLevel.Information, Applied9));

        // The import is in the log: a restart replays it, and the option is now ignored with a warning.
        var second = new CapturedLogs();
        await using var restarted = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = DataPath, ImportAntietcd = RealFile }, second);
        await restarted.StartAsync(s_ct);
        var all = await AllAsync(restarted);
        Assert.Equal(19, all.Header.Revision);
        Assert.Equal(ExpectedKeys.Replace("/bin/blob", "/after=x@19/19/1 /bin/blob", StringComparison.Ordinal), Dump(all));
        var status = await restarted.StatusAsync(s_ct);
        Assert.Equal("", status.ImportState);
        Assert.Equal(18, status.CompactRevision);
        Assert.True(second.Has(LogLevel.Warning, Ignored), string.Join("\n", second.Lines));
        Assert.DoesNotContain(second.Lines, l => l.Message.StartsWith("import_antietcd:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plain_json_file_with_missing_fields_takes_the_defaults()
    {
        var file = Path.Combine(_temp.FullName, "data.json");
        await File.WriteAllTextAsync(file, """
            {"mod_revision": 7, "term": 3, "compact_revision": 2, "leases": {"5": {"ttl": 10}},
             "state": {"children": {
               "": {"children": {
                 "a": {"value": "x"},
                 "b": {"value": {"k": [1, true], "s": "ü"}, "create_revision": 2, "mod_revision": 3, "version": 2, "lease": "5"},
                 "c": {"children": {"d": {"value": ""}, "n": {"value": null, "mod_revision": null}}},
                 "e": {"children": {}}
               }},
               "top": {"value": 1.5e2, "children": {"sub": {"value": "v", "mod_revision": 4}}}
             }}}
            """, s_ct);
        var logs = new CapturedLogs();
        await using var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, ImportAntietcd = file }, logs);
        await server.StartAsync(s_ct);

        var all = await AllAsync(server);
        Assert.Equal(
            "/a=x@7/7/1 /b={\"k\":[1,true],\"s\":\"ü\"}@2/3/2 /c/d=@7/7/1 /c/n=null@7/7/1 top=1.5e2@7/7/1 top/sub=v@4/4/1",
            Dump(all));
        Assert.Equal(7, all.Header.Revision);
        Assert.Empty((await server.LeaseLeasesAsync(null, s_ct)).Leases);
        Assert.True(logs.Has(LogLevel.Information, "import_antietcd: applied 6 keys at revision 7"));
    }

    [Fact]
    public async Task Keys_above_the_file_revision_set_the_revision()
    {
        var file = Path.Combine(_temp.FullName, "data.json");
        await File.WriteAllTextAsync(file, """{"state":{"children":{"k":{"value":"v","mod_revision":40,"create_revision":30,"version":5}}}}""", s_ct);
        await using var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, ImportAntietcd = file });
        await server.StartAsync(s_ct);
        Assert.Equal("k=v@30/40/5", Dump((await server.RangeAsync("k", s_ct)).Kvs));
        Assert.Equal(40, (await server.StatusAsync(s_ct)).CompactRevision);
    }

    [Theory]
    [InlineData("hello world", "is an invalid start of a value")]
    [InlineData("[1,2]", "not an antietcd data file: the JSON is not an object")]
    [InlineData("{\"mod_revision\":3}", "not an antietcd data file: no \"state\" object")]
    [InlineData("{\"state\":{\"children\":{\"a\":{\"value\":\"x\",\"version\":\"2\"}}}}", "node \"a\": \"version\" is not an integer")]
    [InlineData("{\"state\":{\"children\":{\"a\":{\"value\":\"x\",\"mod_revision\":2.5}}}}", "node \"a\": \"mod_revision\" is not an integer")]
    [InlineData("{\"state\":{\"children\":{\"a\":{\"value\":\"x\",\"version\":9}}}}", "key \"a\": version 9 is impossible between revisions 1 and 1")]
    [InlineData("{\"state\":{\"value\":\"root\"}}", "key \"\": the key is empty")]
    [InlineData("{\"state\":{\"children\":{\"a\":{\"value\":\"x\",\"value\":\"y\"}}}}", "Duplicate")]
    [InlineData("{\"state\":{\"children\":{\"a\":[]}}}", "node \"a\": not an object")]
    public async Task A_file_that_cannot_be_parsed_stops_the_start_naming_the_file(string content, string why)
    {
        var file = Path.Combine(_temp.FullName, "bad.json");
        await File.WriteAllTextAsync(file, content, s_ct);
        var ex = await StartFailsAsync(new AntiEtcdOptions { Port = 0, ImportAntietcd = file });
        Assert.StartsWith($"--import_antietcd {file}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(why, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_file_and_broken_gzip_stop_the_start_naming_the_file()
    {
        var missing = Path.Combine(_temp.FullName, "missing.gz");
        var ex = await StartFailsAsync(new AntiEtcdOptions { Port = 0, ImportAntietcd = missing });
        Assert.StartsWith($"--import_antietcd {missing}: ", ex.Message, StringComparison.Ordinal);

        var broken = Path.Combine(_temp.FullName, "broken.gz");
        var gzip = await File.ReadAllBytesAsync(RealFile, s_ct);
        await File.WriteAllBytesAsync(broken, gzip.AsSpan(0, gzip.Length / 2).ToArray(), s_ct);
        ex = await StartFailsAsync(new AntiEtcdOptions { Port = 0, ImportAntietcd = broken });
        Assert.StartsWith($"--import_antietcd {broken}: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_start_that_failed_on_the_file_leaves_the_import_pending_for_the_next_start()
    {
        var file = Path.Combine(_temp.FullName, "data.json");
        await File.WriteAllTextAsync(file, "{truncated", s_ct);
        await StartFailsAsync(new AntiEtcdOptions { Port = 0, Data = DataPath, ImportAntietcd = file });
        Assert.True(File.Exists(Path.Combine(DataPath, "flag." + AntiEtcdServer.ImportPendingFlag)));

        // The directory exists now, but the flag says the import is still to be done.
        File.Copy(RealFile, file, overwrite: true);
        var logs = new CapturedLogs();
        await using var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = DataPath, ImportAntietcd = file }, logs);
        await server.StartAsync(s_ct);
        Assert.Equal(ExpectedKeys, Dump(await AllAsync(server)));
        Assert.True(logs.Has(LogLevel.Information, Applied9));
        Assert.False(File.Exists(Path.Combine(DataPath, "flag." + AntiEtcdServer.ImportPendingFlag)));
    }

    [Fact]
    public async Task Pending_flag_on_an_empty_store_is_attempted_again()
    {
        // As a crash between setting the flag and applying the entry leaves it.
        ulong clusterId;
        await using (var first = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = DataPath }))
        {
            await first.StartAsync(s_ct);
            clusterId = first.ClusterId;
        }

        SetPendingFlag(clusterId);
        var logs = new CapturedLogs();
        await using var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = DataPath, ImportAntietcd = RealFile }, logs);
        await server.StartAsync(s_ct);
        Assert.Equal(ExpectedKeys, Dump(await AllAsync(server)));
        Assert.Equal("applied", (await server.StatusAsync(s_ct)).ImportState);
        Assert.True(logs.Has(LogLevel.Information, Applied9));
        Assert.DoesNotContain(logs.Lines, l => l.Message == Ignored);
    }

    [Fact]
    public async Task Pending_flag_whose_entry_replay_already_applied_keeps_that_outcome()
    {
        // As a crash after the entry was logged and applied but before the flag was cleared.
        ulong clusterId;
        // A crash leaves no snapshot from a graceful stop: the entry stays only in the log.
        await using (var first = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = DataPath, ImportAntietcd = RealFile }) { SnapshotOnStop = false })
        {
            await first.StartAsync(s_ct);
            await AllAsync(first);
            clusterId = first.ClusterId;
        }

        SetPendingFlag(clusterId);
        var logs = new CapturedLogs();
        await using var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = DataPath, ImportAntietcd = RealFile }, logs);
        await server.StartAsync(s_ct);
        Assert.Equal(ExpectedKeys, Dump(await AllAsync(server)));
        Assert.Equal("applied", (await server.StatusAsync(s_ct)).ImportState);
        Assert.True(logs.Has(LogLevel.Information, Applied9), string.Join("\n", logs.Lines));
        Assert.False(File.Exists(Path.Combine(DataPath, "flag." + AntiEtcdServer.ImportPendingFlag)));
        Assert.False(server.Completion.IsCompleted);
    }

    [Fact]
    public async Task Skipped_import_with_data_fails_the_node_and_a_later_start_ignores_the_option()
    {
        ulong clusterId;
        await using (var first = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = DataPath }))
        {
            await first.StartAsync(s_ct);
            await first.PutAsync("existing", "1", s_ct);
            clusterId = first.ClusterId;
        }

        SetPendingFlag(clusterId);
        var logs = new CapturedLogs();
        var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = DataPath, ImportAntietcd = RealFile }, logs);
        await server.StartAsync(s_ct);

        // Failed (SPEC §13.3): Completion faults with the cause, calls get 502.
        var cause = await Assert.ThrowsAsync<InvalidOperationException>(() => server.Completion.WaitAsync(TimeSpan.FromSeconds(30), s_ct));
        Assert.Equal(Skipped, cause.Message);
        Assert.True(logs.Has(LogLevel.Warning, Skipped));
        Assert.Equal(502, (await Assert.ThrowsAsync<AntiEtcdRequestException>(() => server.RangeAsync("existing", s_ct))).Code);
        await server.DisposeAsync();
        Assert.False(File.Exists(Path.Combine(DataPath, "flag." + AntiEtcdServer.ImportPendingFlag)));

        // The import is no longer pending: the next start keeps the data and ignores the option.
        var second = new CapturedLogs();
        await using var restarted = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = DataPath, ImportAntietcd = RealFile }, second);
        await restarted.StartAsync(s_ct);
        Assert.Equal("existing=1@2/2/1", Dump(await AllAsync(restarted)));
        Assert.True(second.Has(LogLevel.Warning, Ignored));
    }

    [Fact]
    public async Task Skipped_import_without_data_is_only_a_warning()
    {
        var logs = new CapturedLogs();
        await using var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, ImportAntietcd = RealFile }, logs)
        {
            // A real in-memory start is always empty; a node joining a cluster would not be.
            BeforeImportForTesting = store => Assert.True(store.Put(new PutRequest { Key = B("joined"), Value = B("1") }).IsOk),
        };
        await server.StartAsync(s_ct);

        Assert.Equal("joined=1@2/2/1", Dump(await AllAsync(server)));
        Assert.Equal("skipped", (await server.StatusAsync(s_ct)).ImportState);
        Assert.True(logs.Has(LogLevel.Warning, Skipped));
        Assert.False(server.Completion.IsCompleted);
        Assert.Equal(3, (await server.PutAsync("more", "2", s_ct)).Header.Revision);
    }

    [Fact]
    public async Task While_the_import_is_pending_requests_wait_status_and_health_answer()
    {
        var clock = new FakeTimeProvider();
        var disk = new MemoryStorageFileSystem();
        using var release = new ManualResetEventSlim();
        AntiEtcdServer? node = null;
        // Hold the WAL fsync of the import entry, so the outcome stays unknown.
        disk.BeforeSync = path =>
        {
            if (node?.ImportState == "pending" && path.StartsWith(Path.Combine(DataPath, "wal"), StringComparison.Ordinal))
            {
                release.Wait(s_ct);
            }
        };
        await using var server = node = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = DataPath, ImportAntietcd = RealFile, WaitQuorumTimeout = 1000 }, null, clock) { StorageFileSystem = disk };
        await server.StartAsync(s_ct);
        try
        {
            await WhilePendingAsync(server, clock, release);
        }
        finally
        {
            // Never leave the WAL writer blocked, or the server could not stop.
            release.Set();
        }
    }

    private static async Task WhilePendingAsync(AntiEtcdServer server, FakeTimeProvider clock, ManualResetEventSlim release)
    {
        Assert.Equal("pending", (await server.StatusAsync(s_ct)).ImportState);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.LocalPort}") };
        var status = await http.PostAsync("/v3/maintenance/status", new StringContent("{}"), s_ct);
        Assert.Equal("pending", JsonNode.Parse(await status.Content.ReadAsStringAsync(s_ct))!["importState"]!.GetValue<string>());
        var health = await http.GetAsync("/health", s_ct);
        Assert.Equal(503, (int)health.StatusCode);
        Assert.Equal(200, (int)(await http.GetAsync("/version", s_ct)).StatusCode);

        // With nowaitquorum the readiness deadline is the arrival: U3 at once, for every request kind (SPEC §8.4).
        var noWait = new RequestContext { NoWaitQuorum = true };
        foreach (var refused in new Func<Task>[]
        {
            () => server.PutAsync(new PutRequest { Key = B("early"), Value = B("1") }, noWait, s_ct),
            () => server.RangeAsync(new RangeRequest { Key = B("/empty") }, noWait, s_ct),
            () => server.LeaseKeepAliveAsync(new LeaseKeepAliveRequest { Id = 1 }, noWait, s_ct),
            () => server.CreateWatchAsync(new WatchCreateRequest { Key = B("/empty") }, _ => ValueTask.CompletedTask, noWait, s_ct),
        })
        {
            // (Real time: the server's clock stands still here, so a request that waited would never end.)
            var ex = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => refused().WaitAsync(TimeSpan.FromSeconds(10), s_ct));
            Assert.Equal("etcdserver: not ready (request not executed, safe to retry)", ex.Message);
        }

        // Every request kind waits for the outcome, up to wait_quorum_timeout, then gets U3.
        var put = server.PutAsync("early", "1", s_ct);
        var range = server.RangeAsync("/empty", s_ct);
        var keepAlive = server.LeaseKeepAliveAsync(new LeaseKeepAliveRequest { Id = 1 }, null, s_ct);
        Assert.False(put.IsCompleted || range.IsCompleted || keepAlive.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1000));
        foreach (var waiting in new Task[] { put, range, keepAlive })
        {
            var ex = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => waiting);
            Assert.Equal(503, ex.Code);
            Assert.Equal(14, ex.GrpcCode);
            Assert.Equal("etcdserver: not ready (request not executed, safe to retry)", ex.Message);
        }

        // Requests that are still waiting when the outcome arrives run after it.
        var watched = new List<WatchResponse>();
        var watch = server.CreateWatchAsync(new WatchCreateRequest { Key = B("/empty") }, m =>
        {
            lock (watched)
            {
                watched.Add(m);
            }

            return ValueTask.CompletedTask;
        }, null, s_ct);
        var read = server.RangeAsync("/node/1/state", s_ct);
        Assert.False(watch.IsCompleted || read.IsCompleted);
        release.Set();

        Assert.Equal("/node/1/state=up again@3/7/3", Dump((await read).Kvs));
        await watch;
        Assert.Equal("applied", (await server.StatusAsync(s_ct)).ImportState);
        Assert.Equal(200, (int)(await http.GetAsync("/health", s_ct)).StatusCode);
        Assert.Equal(19, (await server.PutAsync("later", "1", s_ct)).Header.Revision);
    }

    private void SetPendingFlag(ulong clusterId)
    {
        using var directory = DataDirectory.Open(DataPath, "default", clusterId);
        directory.SetFlag(AntiEtcdServer.ImportPendingFlag);
    }

    private static async Task<Exception> StartFailsAsync(AntiEtcdOptions options)
    {
        var server = new AntiEtcdServer(options);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => server.StartAsync(s_ct));
        Assert.True(server.Completion.IsCompleted);
        return ex;
    }

    private static Task<RangeResponse> AllAsync(AntiEtcdServer server) =>
        server.RangeAsync(new RangeRequest { Key = new byte[] { 0 }, RangeEnd = new byte[] { 0 } }, null, s_ct);

    private static ReadOnlyMemory<byte> B(string s) => Encoding.UTF8.GetBytes(s);

    private static string Dump(RangeResponse response) => Dump(response.Kvs);

    private static string Dump(IEnumerable<KeyValue> kvs) => string.Join(" ", kvs.Select(kv =>
    {
        var key = Encoding.UTF8.GetString(kv.Key.Span);
        var value = key == "/bin/blob" ? "<binary>" : Encoding.UTF8.GetString(kv.Value.Span);
        return $"{key}={value}@{kv.CreateRevision}/{kv.ModRevision}/{kv.Version}";
    }));
}
