using System.Net;
using System.Text;

namespace AntiEtcd.Cli.Tests;

/// <summary>SPEC §9.3 with the real executable: a torn final record is cut with a warning; other corruption refuses to start, naming file and offset.</summary>
[Collection("processes")]
public sealed class WalRepairTests : IDisposable
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("antietcd-wal-");

    public void Dispose() => _data.Delete(recursive: true);

    [Fact]
    public async Task Torn_tail_is_truncated_and_mid_file_corruption_refuses_to_start()
    {
        await WriteAndStopAsync(count: 20);
        var segment = Directory.GetFiles(Path.Combine(_data.FullName, "wal"), "wal-*.log").Single();

        // A torn final record: half of a length prefix and some payload bytes.
        await File.AppendAllBytesAsync(segment, [0x40, 0x00, 0x00, 0x07, 0x01, 0x02], TestContext.Current.CancellationToken);
        await using (var server = ServerProcess.Start("--port", "0", "--data", _data.FullName))
        {
            var port = await server.WaitForPortAsync();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var range = await http.PostAsync("/v3/kv/range", new StringContent("{\"key\":\"AA==\",\"range_end\":\"AA==\",\"count_only\":true}", Encoding.UTF8), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, range.StatusCode);
            Assert.Contains("\"count\":\"20\"", await range.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
            Assert.Contains("warning: wal: ", server.Stderr, StringComparison.Ordinal);
            Assert.Contains("torn record at offset", server.Stderr, StringComparison.Ordinal);
            server.Signal(15);
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        // Flip a byte inside an early record: not a torn tail, so the node must not start.
        var bytes = await File.ReadAllBytesAsync(segment, TestContext.Current.CancellationToken);
        bytes[bytes.Length / 3] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes, TestContext.Current.CancellationToken);
        var (code, _, stderr) = await ServerProcess.RunAsync("--port", "0", "--data", _data.FullName);
        Assert.Equal(1, code);
        Assert.Contains(Path.GetFileName(segment), stderr, StringComparison.Ordinal);
        Assert.Contains("offset", stderr, StringComparison.Ordinal);
    }

    private async Task WriteAndStopAsync(int count)
    {
        await using var server = ServerProcess.Start("--port", "0", "--data", _data.FullName);
        var port = await server.WaitForPortAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        for (var i = 0; i < count; i++)
        {
            var key = Convert.ToBase64String(Encoding.UTF8.GetBytes($"key{i}"));
            using var put = await http.PostAsync("/v3/kv/put", new StringContent($"{{\"key\":\"{key}\",\"value\":\"eA==\"}}", Encoding.UTF8), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}
