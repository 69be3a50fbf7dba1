using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Tests;

/// <summary>SPEC §9.1 through the embedded server: what a start does with the <c>--data</c> path.</summary>
public sealed class DataDirectoryStartTests : IDisposable
{
    private static readonly CancellationToken s_ct = TestContext.Current.CancellationToken;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "antietcd-datadir-" + Guid.NewGuid().ToString("N"));

    public DataDirectoryStartTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("state.gz")]
    [InlineData("state.json")]
    public async Task A_missing_path_named_like_an_old_data_file_becomes_a_directory_with_a_warning(string name)
    {
        var path = Path.Combine(_root, "missing-parent", name);
        var logs = new CapturedLogs();
        await using (var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = path }, logs))
        {
            await server.StartAsync(s_ct);
            await server.PutAsync("k", "v", s_ct);
        }

        Assert.True(Directory.Exists(path));
        var expected = $"--data {path}: created a directory; the original antietcd data file format is not used (to migrate a data file, use --import_antietcd FILE)";
        Assert.True(logs.Has(LogLevel.Warning, expected), string.Join("\n", logs.Lines));

        // The second start finds a directory: no warning, and the data is there.
        var again = new CapturedLogs();
        await using var restarted = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = path }, again);
        await restarted.StartAsync(s_ct);
        Assert.Single((await restarted.RangeAsync("k", s_ct)).Kvs);
        Assert.DoesNotContain(again.Lines, l => l.Message.Contains("created a directory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_existing_file_is_refused_and_the_start_leaves_nothing_running()
    {
        var path = Path.Combine(_root, "antietcd.json.gz");
        await File.WriteAllBytesAsync(path, [0x1f, 0x8b, 0, 0], s_ct);
        var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = path });
        var error = await Assert.ThrowsAnyAsync<Exception>(() => server.StartAsync(s_ct));
        Assert.Equal("--data must be a directory; to migrate an antietcd data file use --import_antietcd FILE", error.Message);
        Assert.True(server.Completion.IsCompleted);
        Assert.Equal([0x1f, 0x8b, 0, 0], await File.ReadAllBytesAsync(path, s_ct));
        await server.DisposeAsync();
    }

    [Fact]
    public async Task A_directory_of_another_node_is_refused_and_left_untouched()
    {
        var path = Path.Combine(_root, "data");
        ulong clusterId;
        await using (var first = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = path, NodeId = "alpha" }))
        {
            await first.StartAsync(s_ct);
            await first.PutAsync("k", "v", s_ct);
            clusterId = first.ClusterId;
        }

        var other = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = path, NodeId = "beta" });
        var error = await Assert.ThrowsAnyAsync<Exception>(() => other.StartAsync(s_ct));
        Assert.Equal($"data directory belongs to node alpha of cluster {clusterId}", error.Message);
        await other.DisposeAsync();

        // The refused start released the lock and changed nothing: the owner starts again with its data.
        await using var owner = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = path, NodeId = "alpha" });
        await owner.StartAsync(s_ct);
        Assert.Single((await owner.RangeAsync("k", s_ct)).Kvs);
    }
}
