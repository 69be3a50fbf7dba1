using System.Net;
using System.Text;

namespace AntiEtcd.Cli.Tests;

/// <summary>
/// SPEC §9.4 with the real executable: <c>--persist_filter</c> loads the sample filter class
/// (samples/PrefixPersistFilter) with its own options, and after <c>kill -9</c> the volatile keys are
/// gone, the persistent ones are back, and the loss shows as a compaction at revision R+2. In a
/// cluster, a follower killed and restarted gets the volatile data back from the leader; killing every
/// node loses it, through the new leader's volatile reset.
/// </summary>
[Collection("processes")]
public sealed class PersistFilterExecutableTests : IDisposable
{
    private const string Hot = "HOT-STATISTICS-VALUE";
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("antietcd-filter-cli-");

    private string DataPath => Path.Combine(_temp.FullName, "data");

    public void Dispose() => _temp.Delete(recursive: true);

    private static string SampleFilter =>
        RepoPaths.BuiltDll(Path.Combine("samples", "PrefixPersistFilter"), "PrefixPersistFilter.dll") + ":PrefixPersistFilter.PrefixPersistFilterFactory";

    private string[] Args => ["--port", "0", "--data", DataPath, "--persist_filter", SampleFilter, "--volatile_prefix", "/stats/,/osd/state/"];

    private static async Task<string> PostAsync(HttpClient http, string path, string body)
    {
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return text;
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Fact]
    public async Task Volatile_keys_stay_off_disk_and_a_kill_9_restart_resets_to_the_persisted_state()
    {
        await using (var server = ServerProcess.Start(Args))
        {
            var port = await server.WaitForPortAsync();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await PostAsync(http, "/v3/kv/put", $"{{\"key\":\"{B64("/config/a")}\",\"value\":\"{B64("1")}\"}}");   // 2
            await PostAsync(http, "/v3/kv/put", $"{{\"key\":\"{B64("/stats/osd1")}\",\"value\":\"{B64(Hot)}\"}}");  // 3
            await PostAsync(http, "/v3/kv/put", $"{{\"key\":\"{B64("/osd/state/1")}\",\"value\":\"{B64(Hot)}\"}}"); // 4
            var stats = await PostAsync(http, "/v3/kv/range", $"{{\"key\":\"{B64("/stats/osd1")}\"}}");
            Assert.Contains(B64(Hot), stats, StringComparison.Ordinal);
            server.Kill();
            await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        foreach (var file in Directory.EnumerateFiles(DataPath, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(Hot, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken)), StringComparison.Ordinal);
        }

        await using (var server = ServerProcess.Start(Args))
        {
            var port = await server.WaitForPortAsync();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var all = await PostAsync(http, "/v3/kv/range", $"{{\"key\":\"{B64("/")}\",\"range_end\":\"{B64("0")}\"}}");
            Assert.Contains("\"revision\":\"6\"", all, StringComparison.Ordinal);
            Assert.Contains(B64("/config/a"), all, StringComparison.Ordinal);
            Assert.DoesNotContain(B64("/stats/osd1"), all, StringComparison.Ordinal);
            Assert.DoesNotContain(B64("/osd/state/1"), all, StringComparison.Ordinal);
            Assert.Contains("volatile reset:", server.Stderr, StringComparison.Ordinal);
            var status = await PostAsync(http, "/v3/maintenance/status", "{}");
            Assert.Contains("\"compactRevision\":\"6\"", status, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_cluster_gives_a_killed_follower_its_volatile_data_back_and_resets_when_every_node_was_killed()
    {
        var ports = ClusterProcessKit.FreePorts(3);
        var processes = new ServerProcess?[3];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string[] NodeArgs(int i) =>
        [
            "--node_id", $"n{i + 1}", "--cluster", ClusterProcessKit.ClusterList(ports), "--cluster_key", "filter-cluster-key-0123456",
            "--heartbeat_timeout", "50", "--election_timeout", "300", "--replication_timeout", "2000", "--wait_quorum_timeout", "1000",
            "--data", Path.Combine(_temp.FullName, $"n{i + 1}"), "--persist_filter", SampleFilter, "--volatile_prefix", "/stats/",
        ];

        async Task<string> ServedAsync(int node, string key)
        {
            var body = $"{{\"key\":\"{B64(key)}\",\"serializable\":true}}";
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var last = (0, "");
            while (clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                try
                {
                    last = await ClusterProcessKit.PostAsync(http, ports[node], "/v3/kv/range", body);
                    if (last.Item1 == 200 && last.Item2.Contains("\"kvs\"", StringComparison.Ordinal))
                    {
                        return last.Item2;
                    }
                }
                catch (HttpRequestException ex)
                {
                    // Not listening yet (a restarted process).
                    last = (0, ex.Message);
                }

                // Paces the polling only; the deadline decides.
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            throw new TimeoutException($"n{node + 1} never served {key}: last answer {last}; stderr: {processes[node]?.Stderr}");
        }

        try
        {
            for (var i = 0; i < 3; i++)
            {
                processes[i] = ServerProcess.Start(NodeArgs(i));
            }

            var leader = await ClusterProcessKit.WaitForLeaderAsync(http, ports, [0, 1, 2], null);
            Assert.Equal(200, (await ClusterProcessKit.PutAsync(http, ports[leader], "/config/a", "1")).Status);
            Assert.Equal(200, (await ClusterProcessKit.PutAsync(http, ports[leader], "/stats/osd1", Hot)).Status);
            var follower = (leader + 1) % 3;
            Assert.Contains(B64(Hot), await ServedAsync(follower, "/stats/osd1"), StringComparison.Ordinal);

            // kill -9 of a follower: restarted, it holds only the persisted form, and the leader sends it the rest.
            processes[follower]!.Kill();
            await processes[follower]!.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await processes[follower]!.DisposeAsync();
            processes[follower] = ServerProcess.Start(NodeArgs(follower));
            Assert.Contains(B64(Hot), await ServedAsync(follower, "/stats/osd1"), StringComparison.Ordinal);
            Assert.Contains("state is complete", processes[follower]!.Stderr + processes[follower]!.Stdout, StringComparison.Ordinal);

            // kill -9 of every node: nothing volatile is on any disk, and the new leader resets.
            for (var i = 0; i < 3; i++)
            {
                processes[i]!.Kill();
                await processes[i]!.WaitForExitAsync(TimeSpan.FromSeconds(30));
                await processes[i]!.DisposeAsync();
                processes[i] = null;
            }

            foreach (var file in Directory.EnumerateFiles(_temp.FullName, "*", SearchOption.AllDirectories))
            {
                Assert.DoesNotContain(Hot, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken)), StringComparison.Ordinal);
            }

            for (var i = 0; i < 3; i++)
            {
                processes[i] = ServerProcess.Start(NodeArgs(i));
            }

            leader = await ClusterProcessKit.WaitForLeaderAsync(http, ports, [0, 1, 2], null);
            for (var i = 0; i < 3; i++)
            {
                await ServedAsync(i, "/config/a");
                var stats = await ClusterProcessKit.PostAsync(http, ports[i], "/v3/kv/range", $"{{\"key\":\"{B64("/stats/osd1")}\",\"serializable\":true}}");
                Assert.True(stats.Status == 200 && !stats.Body.Contains("\"kvs\"", StringComparison.Ordinal), $"n{i + 1} after every node was killed: {stats}");
            }

            Assert.Contains("proposed a volatile reset", processes[leader]!.Stderr + processes[leader]!.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var process in processes)
            {
                if (process is not null)
                {
                    await process.DisposeAsync();
                }
            }
        }
    }
}
