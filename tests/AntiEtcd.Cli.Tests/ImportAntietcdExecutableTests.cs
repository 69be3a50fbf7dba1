using System.Net;
using System.Text;

namespace AntiEtcd.Cli.Tests;

/// <summary>SPEC §9.6, §11.4 with the real executable: importing antietcd 1.3.1's data file, and the exit codes of a bad file and of a skipped import with <c>--data</c>.</summary>
[Collection("processes")]
public sealed class ImportAntietcdExecutableTests : IDisposable
{
    private const int SigTerm = 15;
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("antietcd-import-cli-");

    private string DataPath => Path.Combine(_temp.FullName, "data");

    public void Dispose() => _temp.Delete(recursive: true);

    /// <summary>The file committed with Server.Tests, written by the original antietcd 1.3.1.</summary>
    private static string RealFile => Path.Combine(RepoPaths.Root, "tests", "AntiEtcd.Server.Tests", "TestData", "antietcd-1.3.1-data.gz");

    [Fact]
    public async Task Imports_the_file_with_data_and_a_later_start_ignores_the_option()
    {
        await using (var server = ServerProcess.Start("--port", "0", "--data", DataPath, "--import_antietcd", RealFile))
        {
            var port = await server.WaitForPortAsync();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var body = await RangeAsync(http, "/node/1/state");
            Assert.Contains("\"revision\":\"18\"", body, StringComparison.Ordinal);
            Assert.Contains($"\"value\":\"{Convert.ToBase64String("up again"u8)}\"", body, StringComparison.Ordinal);
            Assert.Contains("import_antietcd: applied 9 keys at revision 18", server.Stdout, StringComparison.Ordinal);
            server.Signal(SigTerm);
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        await using (var server = ServerProcess.Start("--port", "0", "--data", DataPath, "--import_antietcd", RealFile))
        {
            var port = await server.WaitForPortAsync();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            Assert.Contains("\"revision\":\"18\"", await RangeAsync(http, "/node/1/state"), StringComparison.Ordinal);
            Assert.Contains("warning: --import_antietcd ignored: the data directory already holds cluster state", server.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("import_antietcd: applied", server.Stdout, StringComparison.Ordinal);
            server.Signal(SigTerm);
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public async Task A_skipped_import_with_data_exits_1()
    {
        await using (var server = ServerProcess.Start("--port", "0", "--data", DataPath))
        {
            var port = await server.WaitForPortAsync();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var key = Convert.ToBase64String("existing"u8);
            using var put = await http.PostAsync("/v3/kv/put", new StringContent($"{{\"key\":\"{key}\",\"value\":\"eA==\"}}", Encoding.UTF8), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            server.Signal(SigTerm);
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        // The import pending on a directory that holds other state (the flag file is the
        // format of docs/wal-format.md §1): the import is skipped, which with --data is an error.
        await File.WriteAllBytesAsync(Path.Combine(DataPath, "flag.import-pending"), [], TestContext.Current.CancellationToken);
        await using (var server = ServerProcess.Start("--port", "0", "--data", DataPath, "--import_antietcd", RealFile))
        {
            Assert.Equal(1, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("warning: import_antietcd: skipped, the cluster is not empty", server.Stderr, StringComparison.Ordinal);
            Assert.Contains("antietcd: stopped after a failure: import_antietcd: skipped, the cluster is not empty", server.Stderr, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(DataPath, "flag.import-pending")));
    }

    private static async Task<string> RangeAsync(HttpClient http, string key)
    {
        var body = $"{{\"key\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(key))}\"}}";
        using var range = await http.PostAsync("/v3/kv/range", new StringContent(body, Encoding.UTF8), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, range.StatusCode);
        return await range.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_file_that_is_not_json_exits_1_naming_the_file()
    {
        var file = Path.Combine(_temp.FullName, "data.gz");
        await File.WriteAllTextAsync(file, "this is not an antietcd file", TestContext.Current.CancellationToken);
        var (code, _, stderr) = await ServerProcess.RunAsync("--port", "0", "--import_antietcd", file);
        Assert.Equal(1, code);
        Assert.StartsWith($"antietcd: cannot start: --import_antietcd {file}: ", stderr, StringComparison.Ordinal);
    }
}
