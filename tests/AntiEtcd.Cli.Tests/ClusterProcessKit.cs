using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace AntiEtcd.Cli.Tests;

/// <summary>HTTP helpers for tests that run clusters of real processes on loopback.</summary>
internal static class ClusterProcessKit
{
    /// <summary>The <c>--cluster</c> list of nodes n1..nN on <paramref name="ports"/>.</summary>
    public static string ClusterList(int[] ports) => string.Join(',', ports.Select((p, i) => $"n{i + 1}=http://127.0.0.1:{p}"));

    public static async Task<int> WaitForLeaderAsync(HttpClient http, int[] ports, int[] among, string? except)
    {
        var deadline = Stopwatch.StartNew();
        var last = "";
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            string? agreed = null;
            var ok = true;
            foreach (var i in among)
            {
                try
                {
                    var (status, body) = await PostAsync(http, ports[i], "/v3/maintenance/status", "{}");
                    last = body;
                    using var doc = JsonDocument.Parse(body);
                    var name = status == 200 && doc.RootElement.TryGetProperty("leaderNodeId", out var l) ? l.GetString() : null;
                    ok &= name is not null && name != except && (agreed is null || agreed == name);
                    agreed ??= name;
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }
            }

            if (ok && agreed is not null)
            {
                var index = int.Parse(agreed[1..], System.Globalization.CultureInfo.InvariantCulture) - 1;
                if (among.Contains(index))
                {
                    return index;
                }
            }

            // Paces the polling only; the deadline decides.
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException("no agreed leader; last status: " + last);
    }

    public static Task<(int Status, string Body)> PutAsync(HttpClient http, int port, string key, string value) =>
        PostAsync(http, port, "/v3/kv/put", $"{{\"key\":\"{B64(key)}\",\"value\":\"{B64(value)}\"}}");

    public static Task<(int Status, string Body)> RangeAsync(HttpClient http, int port, string key) =>
        PostAsync(http, port, "/v3/kv/range", $"{{\"key\":\"{B64(key)}\"}}");

    public static async Task<(int Status, string Body)> PostAsync(HttpClient http, int port, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"http://127.0.0.1:{port}{path}", content, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static int[] FreePorts(int count) => AntiEtcd.Testing.LoopbackPorts.Pick(count);
}
