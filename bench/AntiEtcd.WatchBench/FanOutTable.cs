using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AntiEtcd.WatchBench;

/// <summary>Turns a directory of fan-out results (the JSON of <see cref="FanOutResult.WriteJson"/>) into a markdown table.</summary>
internal static class FanOutTable
{
    public static string Render(string directory)
    {
        var files = Directory.GetFiles(directory, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append("| watchers | conns × watches | puts/s offered | puts acked | put p50 ms | put p99 ms | events delivered/s | delivery p50 ms | p90 ms | p99 ms | max ms | events received / expected | lost | out of order | server CPU | loadgen CPU | server RSS MiB |\n");
        text.Append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|\n");
        foreach (var file in files)
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            var r = document.RootElement;
            var window = r.GetProperty("window_s").GetDouble();
            var serverCpu = r.TryGetProperty("server_cpu_s", out var cpu) ? (cpu.GetDouble() / window * 100).ToString("F0", c) + "%" : "";
            var rss = r.TryGetProperty("server_rss_bytes", out var b) ? (b.GetInt64() / (1024.0 * 1024.0)).ToString("F0", c) : "";
            text.Append(c, $"| {r.GetProperty("watchers").GetInt32()} | {r.GetProperty("connections").GetInt32()} × {r.GetProperty("watches_per_connection").GetInt32()} | {r.GetProperty("rate").GetInt32()} ");
            text.Append(c, $"| {r.GetProperty("puts_acked").GetInt64()} | {r.GetProperty("put_p50_ms").GetDouble():F3} | {r.GetProperty("put_p99_ms").GetDouble():F3} ");
            text.Append(c, $"| {r.GetProperty("delivered_per_s").GetDouble():F0} | {r.GetProperty("p50_ms").GetDouble():F3} | {r.GetProperty("p90_ms").GetDouble():F3} | {r.GetProperty("p99_ms").GetDouble():F3} | {r.GetProperty("max_ms").GetDouble():F1} ");
            text.Append(c, $"| {r.GetProperty("events_received").GetInt64()} / {r.GetProperty("events_expected").GetInt64()} | {r.GetProperty("events_lost").GetInt64()} | {r.GetProperty("not_increasing").GetInt64()} ");
            text.Append(c, $"| {serverCpu} | {r.GetProperty("client_cpu_s").GetDouble() / window * 100:F0}% | {rss} |\n");
        }

        return text.ToString();
    }
}
