using System.Globalization;
using System.Text;

namespace AntiEtcd.LoadGen;

/// <summary>
/// Turns a directory of repeated, labelled run results (label = where the load went, e.g.
/// <c>single</c>, <c>leader</c>, <c>follower</c>) into a markdown table with one row per
/// workload, connections and label: the median of each figure over the repeats, every run's req/s,
/// and the median throughput as a share of the <c>single</c> row of the same workload and connections.
/// </summary>
/// <remarks>Medians because the machine is shared and noisy: one slow run should not move a row.</remarks>
internal static class MedianTable
{
    /// <summary>The label the other rows are compared with.</summary>
    public const string Baseline = "single";

    public static string Render(string directory)
    {
        var files = Directory.GetFiles(directory, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        var groups = new List<List<RunResult>>();
        foreach (var file in files)
        {
            var result = RunResult.ReadJson(File.ReadAllBytes(file));
            var group = FindGroup(groups, result.Workload, result.Label, result.Connections);
            if (group is null)
            {
                group = [];
                groups.Add(group);
            }

            group.Add(result);
        }

        groups.Sort(static (a, b) =>
        {
            var byWorkload = string.CompareOrdinal(a[0].Workload, b[0].Workload);
            if (byWorkload != 0)
            {
                return byWorkload;
            }

            var byConnections = a[0].Connections.CompareTo(b[0].Connections);
            return byConnections != 0 ? byConnections : string.CompareOrdinal(Rank(a[0].Label), Rank(b[0].Label));
        });

        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append("| workload | conns | through | runs | req/s (median) | req/s each run | vs single | p50 ms | p99 ms | max ms | errors | node CPU µs/req | all nodes CPU µs/req | busiest node CPU µs/req | loadgen CPU µs/req | machine idle |\n");
        text.Append("|---|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var group in groups)
        {
            var first = group[0];
            var rps = Median(group, static r => r.RequestsPerSecond);
            var baseline = FindGroup(groups, first.Workload, Baseline, first.Connections);
            var baselineRps = baseline is not null ? Median(baseline, static r => r.RequestsPerSecond) : 0;

            // A baseline that served nothing gives no ratio (as in ModeTable), not "Infinity×".
            var ratio = baselineRps > 0 && first.Label != Baseline ? (rps / baselineRps).ToString("F2", c) + "×" : "";
            var each = new StringBuilder();
            long errors = 0;
            foreach (var r in group)
            {
                each.Append(each.Length == 0 ? "" : " / ").Append(r.RequestsPerSecond.ToString("F0", c));
                errors += r.Non200 + r.Failures;
            }

            var server = MedianOrBlank(group, static r => r.ServerCpuMicrosPerRequest, "F1");
            var cluster = MedianOrBlank(group, static r => r.ClusterCpuMicrosPerRequest, "F1");
            var busiest = MedianOrBlank(group, static r => r.BusiestNodeCpuMicrosPerRequest, "F1");
            var idle = MedianOrBlank(group, static r => r.MachineIdle * 100, "F1");
            text.Append(c, $"| {first.Workload} | {first.Connections} | {first.Label} | {group.Count} | {rps:F0} | {each} | {ratio} | {Median(group, static r => r.P50Ms):F3} | {Median(group, static r => r.P99Ms):F3} | {Median(group, static r => r.MaxMs):F1} | {errors} | {server} | {cluster} | {busiest} | {Median(group, static r => r.ClientCpuMicrosPerRequest):F1} | {(idle.Length > 0 ? idle + "%" : "")} |\n");
        }

        return text.ToString();
    }

    private static List<RunResult>? FindGroup(List<List<RunResult>> groups, string workload, string? label, int connections)
    {
        foreach (var group in groups)
        {
            var r = group[0];
            if (r.Workload == workload && r.Label == label && r.Connections == connections)
            {
                return group;
            }
        }

        return null;
    }

    /// <summary>The median of <paramref name="figure"/> over the group (the mean of the middle two for an even count).</summary>
    private static double Median(List<RunResult> group, Func<RunResult, double> figure)
    {
        var values = new double[group.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = figure(group[i]);
        }

        Array.Sort(values);
        var middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    /// <summary>The median of an optional figure, formatted, or an empty cell when any run lacks it.</summary>
    private static string MedianOrBlank(List<RunResult> group, Func<RunResult, double?> figure, string format) =>
        group.TrueForAll(r => figure(r) is not null) ? Median(group, r => figure(r) ?? 0).ToString(format, CultureInfo.InvariantCulture) : "";

    // single first, then leader, follower, then anything else by name.
    private static string Rank(string? label) => label switch
    {
        Baseline => "0",
        "leader" => "1",
        "follower" => "2",
        _ => "3" + label,
    };
}
