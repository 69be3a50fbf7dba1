namespace AntiEtcd.LoadGen.Tests;

/// <summary>
/// The cluster table of docs/benchmarks.md (<see cref="MedianTable"/>), from result files written the way the load
/// generator writes them (<see cref="RunResult.WriteJson"/>) into a temp directory.
/// </summary>
public sealed class MedianTableTests : IDisposable
{
    // Column positions of MedianTable.Render's table.
    private const int WorkloadColumn = 0;
    private const int ConnectionsColumn = 1;
    private const int ThroughColumn = 2;
    private const int RunsColumn = 3;
    private const int MedianRpsColumn = 4;
    private const int EachRunColumn = 5;
    private const int VsSingleColumn = 6;
    private const int P50Column = 7;
    private const int MachineIdleColumn = 15;

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("antietcd-loadgen-tests-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void LeaderRow_ShowsTheMedianOfItsRuns_EveryRun_AndTheRatioToTheSingleMedian()
    {
        // Interleaved rounds, as run-cluster.sh writes them; medians 11000 (single) and 6600 (leader).
        Write("r1-single", Run("single", rps: 10_000, p50: 1.0, idle: 0.10));
        Write("r1-leader", Run("leader", rps: 6_000, p50: 3.0, idle: 0.30));
        Write("r2-single", Run("single", rps: 12_500, p50: 1.2, idle: 0.20));
        Write("r2-leader", Run("leader", rps: 7_000, p50: 1.0, idle: 0.10));
        Write("r3-single", Run("single", rps: 11_000, p50: 1.1, idle: 0.30));
        Write("r3-leader", Run("leader", rps: 6_600, p50: 2.0, idle: 0.20));

        var rows = Rows(MedianTable.Render(_directory.FullName));

        Assert.Equal(2, rows.Count);
        var single = rows[0];
        Assert.Equal(["put", "16", "single", "3", "11000", "10000 / 12500 / 11000", ""], single[..7]);
        var leader = rows[1];
        Assert.Equal("leader", leader[ThroughColumn]);
        Assert.Equal("3", leader[RunsColumn]);
        Assert.Equal("6600", leader[MedianRpsColumn]);
        Assert.Equal("6000 / 7000 / 6600", leader[EachRunColumn]);
        Assert.Equal("0.60×", leader[VsSingleColumn]);
        Assert.Equal("2.000", leader[P50Column]);
        Assert.Equal("20.0%", leader[MachineIdleColumn]);
    }

    [Fact]
    public void Rows_AreGroupedByWorkloadAndConnections_EachAgainstItsOwnSingleRow()
    {
        Write("a", Run("leader", rps: 3_000, connections: 64));
        Write("b", Run("single", rps: 4_000, connections: 64));
        Write("c", Run("follower", rps: 1_000));
        Write("d", Run("single", rps: 2_000));
        Write("e", Run("leader", rps: 9_000, workload: "range"));

        var rows = Rows(MedianTable.Render(_directory.FullName));

        Assert.Equal(
            [
                ("put", "16", "single", ""),
                ("put", "16", "follower", "0.50×"),
                ("put", "64", "single", ""),
                ("put", "64", "leader", "0.75×"),
                ("range", "16", "leader", ""),
            ],
            rows.Select(static r => (r[WorkloadColumn], r[ConnectionsColumn], r[ThroughColumn], r[VsSingleColumn])));
    }

    [Fact]
    public void ARow_AgainstASingleRowOfNoThroughput_HasNoRatio()
    {
        // A single node that answered nothing (every request failed) is no baseline: no "∞×".
        Write("r1-single", Run("single", rps: 0));
        Write("r1-leader", Run("leader", rps: 5_000));

        var rows = Rows(MedianTable.Render(_directory.FullName));

        Assert.Equal("leader", rows[1][ThroughColumn]);
        Assert.Equal("", rows[1][VsSingleColumn]);
    }

    /// <summary>The cells of each data row of a markdown table (header and separator skipped).</summary>
    private static List<string[]> Rows(string markdown) =>
        [.. markdown.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Skip(2)
            .Select(static line => line.Split('|')[1..^1].Select(static cell => cell.Trim()).ToArray())];

    private static RunResult Run(string label, double rps, double p50 = 1.0, double? idle = null, int connections = 16, string workload = "put") => new(
        Label: label,
        Workload: workload,
        Url: "http://127.0.0.1:2379/",
        Connections: connections,
        Keys: 1000,
        ValueSize: 100,
        WindowSeconds: 10,
        Requests: (long)(rps * 10),
        RequestsPerSecond: rps,
        MeanMs: p50,
        P50Ms: p50,
        P90Ms: p50 * 2,
        P99Ms: p50 * 4,
        MaxMs: p50 * 10,
        Non200: 0,
        Failures: 0,
        FirstError: null,
        ClientCpuSeconds: 1,
        ClientAllocatedBytes: 1 << 20,
        ClientGen0Collections: 1,
        ServerCpuSeconds: null,
        ServerRssBytes: null,
        MachineIdle: idle);

    private void Write(string name, RunResult result)
    {
        using var stream = File.Create(Path.Combine(_directory.FullName, name + ".json"));
        result.WriteJson(stream);
    }
}
