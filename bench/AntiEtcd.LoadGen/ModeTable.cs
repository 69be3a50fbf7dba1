using System.Globalization;
using System.Text;

namespace AntiEtcd.LoadGen;

/// <summary>
/// Turns a directory of labelled run results (label = server mode, e.g. <c>memory</c>,
/// <c>durable</c>) into a markdown table by key count, connections and mode, with each row's
/// throughput as a share of the <c>memory</c> row at the same key count and connections.
/// </summary>
internal static class ModeTable
{
    public static string Render(string directory)
    {
        var files = Directory.GetFiles(directory, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        var results = new List<RunResult>(files.Length);
        foreach (var file in files)
        {
            results.Add(RunResult.ReadJson(File.ReadAllBytes(file)));
        }

        results.Sort(static (a, b) =>
        {
            var byKeys = a.Keys.CompareTo(b.Keys);
            if (byKeys != 0)
            {
                return byKeys;
            }

            var byConnections = a.Connections.CompareTo(b.Connections);
            return byConnections != 0 ? byConnections : string.CompareOrdinal(Rank(a.Label), Rank(b.Label));
        });

        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append("| keys | conns | server | req/s | vs memory | p50 ms | p99 ms | max ms | errors | server CPU µs/req | loadgen CPU µs/req | server RSS MiB |\n");
        text.Append("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var r in results)
        {
            var memory = Find(results, "memory", r.Keys, r.Connections);
            var ratio = memory is not null && memory.RequestsPerSecond > 0 && r.Label != "memory"
                ? (r.RequestsPerSecond / memory.RequestsPerSecond).ToString("F2", c) + "×"
                : "";
            var server = r.ServerCpuMicrosPerRequest is { } s ? s.ToString("F1", c) : "";
            var rss = r.ServerRssBytes is { } b ? (b / (1024.0 * 1024.0)).ToString("F0", c) : "";
            text.Append(c, $"| {r.Keys} | {r.Connections} | {r.Label} | {r.RequestsPerSecond:F0} | {ratio} | {r.P50Ms:F3} | {r.P99Ms:F3} | {r.MaxMs:F1} | {r.Non200 + r.Failures} | {server} | {r.ClientCpuMicrosPerRequest:F1} | {rss} |\n");
        }

        return text.ToString();
    }

    private static RunResult? Find(List<RunResult> results, string label, int keys, int connections)
    {
        foreach (var r in results)
        {
            if (r.Label == label && r.Keys == keys && r.Connections == connections)
            {
                return r;
            }
        }

        return null;
    }

    // memory first, then durable, then anything else (e.g. persist_interval variants) by name.
    private static string Rank(string? label) => label switch
    {
        "memory" => "0",
        "durable" => "1",
        _ => "2" + label,
    };
}
