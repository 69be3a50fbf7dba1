using System.Globalization;
using System.Text;

namespace AntiEtcd.LoadGen;

/// <summary>Turns a directory of run results into the markdown table of docs/benchmarks.md.</summary>
internal static class ReportTable
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

        // By connection count, then ceiling, put, range: each ceiling row sits above the rows it bounds.
        results.Sort(static (a, b) =>
        {
            var byConnections = a.Connections.CompareTo(b.Connections);
            return byConnections != 0 ? byConnections : Rank(a.Workload).CompareTo(Rank(b.Workload));
        });

        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append("| workload | conns | req/s | % of ceiling | p50 ms | p99 ms | max ms | errors | server CPU µs/req | loadgen CPU µs/req |\n");
        text.Append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var r in results)
        {
            var ceiling = Find(results, "ceiling", r.Connections);
            var percent = ceiling is not null && ceiling.RequestsPerSecond > 0 && r.Workload != "ceiling"
                ? (100 * r.RequestsPerSecond / ceiling.RequestsPerSecond).ToString("F0", c) + "%"
                : "";
            var server = r.ServerCpuMicrosPerRequest is { } s ? s.ToString("F1", c) : "";
            text.Append(c, $"| {r.Workload} | {r.Connections} | {r.RequestsPerSecond:F0} | {percent} | {r.P50Ms:F3} | {r.P99Ms:F3} | {r.MaxMs:F1} | {r.Non200 + r.Failures} | {server} | {r.ClientCpuMicrosPerRequest:F1} |\n");
        }

        var put16 = Find(results, "put", 16);
        var ceiling16 = Find(results, "ceiling", 16);
        if (put16 is not null && ceiling16 is not null && ceiling16.RequestsPerSecond > 0)
        {
            var ratio = 100 * put16.RequestsPerSecond / ceiling16.RequestsPerSecond;
            text.Append(c, $"\nput@16 = {put16.RequestsPerSecond:F0} req/s = {ratio:F1}% of ceiling@16 ({ceiling16.RequestsPerSecond:F0} req/s); target >= 60%: {(ratio >= 60 ? "met" : "NOT met")}\n");
        }

        return text.ToString();
    }

    private static RunResult? Find(List<RunResult> results, string workload, int connections)
    {
        foreach (var r in results)
        {
            if (r.Workload == workload && r.Connections == connections)
            {
                return r;
            }
        }

        return null;
    }

    private static int Rank(string workload) => workload switch
    {
        "ceiling" => 0,
        "put" => 1,
        "range" => 2,
        "range-serializable" => 3,
        _ => 4,
    };
}
