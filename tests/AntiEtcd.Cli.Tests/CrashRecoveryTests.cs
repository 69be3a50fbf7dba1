using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AntiEtcd.Cli.Tests;

/// <summary>
/// Durability with real processes (issue 4): a write load records every acknowledged write, the
/// server is killed with SIGKILL at a random moment, restarted on the same data directory, and
/// then every acknowledged write must be there and nothing that was never written may appear.
/// </summary>
/// <remarks>
/// CI runs 20 cycles; <c>ANTIETCD_CRASH_CYCLES=N</c> runs more. The kill moment comes from a seeded
/// random source (<c>ANTIETCD_CRASH_SEED</c>); it is a fault schedule, not a wait for state.
/// </remarks>
[Collection("processes")]
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("antietcd-crash-");

    public void Dispose() => _data.Delete(recursive: true);

    [Fact]
    public async Task Acknowledged_writes_survive_kill_9()
    {
        var cycles = int.TryParse(Environment.GetEnvironmentVariable("ANTIETCD_CRASH_CYCLES"), out var c) ? c : 20;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ANTIETCD_CRASH_SEED"), out var s) ? s : 4242;
        var random = new Random(seed);
        var acknowledged = new ConcurrentDictionary<string, string>();
        var attempted = new ConcurrentDictionary<string, string>();
        var deleted = new ConcurrentDictionary<string, byte>();
        var deleteAttempted = new ConcurrentDictionary<string, byte>();
        long highestAcknowledgedRevision = 0;

        for (var cycle = 0; cycle < cycles; cycle++)
        {
            var server = ServerProcess.Start("--port", "0", "--data", _data.FullName, "--snapshot_entries", "300");
            try
            {
                var port = await server.WaitForPortAsync();
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
                await CheckAsync(http, acknowledged, attempted, deleted, deleteAttempted, highestAcknowledgedRevision, $"seed {seed} cycle {cycle}");

                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, 4).Select(worker => WriteAsync(http, cycle, worker, acknowledged, attempted, deleted, deleteAttempted, revision => InterlockedMax(ref highestAcknowledgedRevision, revision), stop.Token)).ToArray();
                await Task.Delay(random.Next(50, 400), TestContext.Current.CancellationToken);
                server.Kill();
                await stop.CancelAsync();
                await Task.WhenAll(writers);
            }
            finally
            {
                await server.DisposeAsync();
            }
        }

        await using var last = ServerProcess.Start("--port", "0", "--data", _data.FullName);
        var lastPort = await last.WaitForPortAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{lastPort}") };
        await CheckAsync(client, acknowledged, attempted, deleted, deleteAttempted, highestAcknowledgedRevision, $"seed {seed} final");
        Assert.True(acknowledged.Count > cycles * 10, $"too few acknowledged writes to mean anything: {acknowledged.Count}");
    }

    private static async Task WriteAsync(
        HttpClient http,
        int cycle,
        int worker,
        ConcurrentDictionary<string, string> acknowledged,
        ConcurrentDictionary<string, string> attempted,
        ConcurrentDictionary<string, byte> deleted,
        ConcurrentDictionary<string, byte> deleteAttempted,
        Action<long> onRevision,
        CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var key = $"c{cycle}/w{worker}/{i}";
            var value = $"v{cycle}.{worker}.{i}";
            attempted[key] = value;
            try
            {
                var reply = await PostAsync(http, "/v3/kv/put", $"{{\"key\":\"{B64(key)}\",\"value\":\"{B64(value)}\"}}", stop);
                if (reply is not null)
                {
                    acknowledged[key] = value;
                    onRevision(Revision(reply));
                }

                // Every tenth write deletes an earlier acknowledged key of this worker.
                if (i % 10 == 9)
                {
                    var victim = $"c{cycle}/w{worker}/{i - 5}";
                    // Recorded before sending: if the reply is lost in the kill, the delete may or may not have happened.
                    if (acknowledged.ContainsKey(victim) && deleteAttempted.TryAdd(victim, 0) && await PostAsync(http, "/v3/kv/deleterange", $"{{\"key\":\"{B64(victim)}\"}}", stop) is { } deleteReply)
                    {
                        deleted[victim] = 0;
                        onRevision(Revision(deleteReply));
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or TaskCanceledException)
            {
                // The process died or the cycle ended: the outcome of this write is unknown.
                return;
            }
        }
    }

    private static async Task CheckAsync(
        HttpClient http,
        ConcurrentDictionary<string, string> acknowledged,
        ConcurrentDictionary<string, string> attempted,
        ConcurrentDictionary<string, byte> deleted,
        ConcurrentDictionary<string, byte> deleteAttempted,
        long highestAcknowledgedRevision,
        string where)
    {
        var reply = await PostAsync(http, "/v3/kv/range", "{\"key\":\"AA==\",\"range_end\":\"AA==\"}", CancellationToken.None)
            ?? throw new InvalidOperationException($"{where}: range failed");
        var present = new Dictionary<string, string>();
        foreach (var kv in reply["kvs"]?.AsArray() ?? [])
        {
            var key = Encoding.UTF8.GetString(Convert.FromBase64String((string)kv!["key"]!));
            var value = kv["value"] is { } v ? Encoding.UTF8.GetString(Convert.FromBase64String((string)v!)) : "";
            present[key] = value;
        }

        foreach (var (key, value) in acknowledged)
        {
            if (deleted.ContainsKey(key))
            {
                Assert.False(present.ContainsKey(key), $"{where}: acknowledged delete of {key} was lost");
                continue;
            }

            if (!present.TryGetValue(key, out var found))
            {
                Assert.True(deleteAttempted.ContainsKey(key), $"{where}: acknowledged write {key} was lost");
                continue;
            }

            Assert.Equal(value, found);
        }

        foreach (var (key, value) in present)
        {
            Assert.True(attempted.TryGetValue(key, out var written) && written == value, $"{where}: {key}={value} was never written");
        }

        Assert.True(Revision(reply) >= highestAcknowledgedRevision, $"{where}: revision went back from {highestAcknowledgedRevision} to {Revision(reply)}");
    }

    private static async Task<JsonNode?> PostAsync(HttpClient http, string path, string body, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8), cancellationToken);
        return response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) : null;
    }

    private static long Revision(JsonNode reply) => long.Parse((string)reply["header"]!["revision"]!, CultureInfo.InvariantCulture);

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
