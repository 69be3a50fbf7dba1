using System.Net;
using System.Text;

namespace AntiEtcd.Cli.Tests;

/// <summary>
/// SPEC §9.4 with the real executable: <c>--persist_filter</c> loads the sample filter class
/// (samples/PrefixPersistFilter) with its own options, and after <c>kill -9</c> the volatile keys are
/// gone, the persistent ones are back, and the loss shows as a compaction at revision R+2.
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
}
