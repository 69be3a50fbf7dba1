namespace AntiEtcd.Jepsen.Tests;

/// <summary>
/// The CI matrix: workloads × faults × {3, 5} nodes × {with, without --data}, ~20 s of traffic each
/// (about 10 minutes in all on two cores). A failing run keeps <c>artifacts/jepsen/&lt;name&gt;/</c>;
/// see docs/jepsen.md for how to read it.
/// </summary>
[Collection("jepsen")]
public sealed class JepsenMatrixTests(ITestOutputHelper output)
{
    public static TheoryData<string, NemesisKind, int, bool, int> Matrix => new()
    {
        { "register", NemesisKind.Kill, 3, true, 101 },
        { "register", NemesisKind.Pause, 3, false, 102 },
        { "register", NemesisKind.Partition, 5, false, 103 },
        { "register", NemesisKind.Mixed, 5, true, 104 },
        { "register", NemesisKind.Partition, 3, true, 105 },
        { "register", NemesisKind.Kill, 5, false, 106 },
        { "register", NemesisKind.Slow, 3, true, 107 },
        { "append", NemesisKind.Kill, 3, false, 201 },
        { "append", NemesisKind.Pause, 5, true, 202 },
        { "append", NemesisKind.Partition, 3, true, 203 },
        { "append", NemesisKind.Mixed, 3, false, 204 },
        { "append", NemesisKind.Partition, 5, false, 205 },
        { "append", NemesisKind.Slow, 5, false, 206 },
        { "lease", NemesisKind.Kill, 5, true, 301 },
        { "lease", NemesisKind.Pause, 3, false, 302 },
        { "lease", NemesisKind.Partition, 3, false, 303 },
        { "lease", NemesisKind.Mixed, 3, true, 304 },
        { "lease", NemesisKind.Slow, 3, false, 305 },
        { "watch", NemesisKind.Kill, 3, true, 401 },
        { "watch", NemesisKind.Pause, 5, false, 402 },
        { "watch", NemesisKind.Partition, 5, true, 403 },
        { "watch", NemesisKind.Mixed, 3, false, 404 },
        { "all", NemesisKind.Mixed, 3, true, 501 },
        { "all", NemesisKind.Mixed, 5, false, 502 },
        { "all", NemesisKind.Kill, 5, true, 503 },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task HistoryIsValid(string workload, NemesisKind nemesis, int nodes, bool durable, int seed)
    {
        int actualNodes = JepsenMode.ForcedNodes ?? nodes;
        if (actualNodes == 1 && !durable && nemesis is NemesisKind.Kill or NemesisKind.Mixed)
        {
            Assert.Skip("one in-memory node loses its data on kill by design (SPEC §9.5)");
        }

        await RunValidAsync(new JepsenRunOptions
        {
            Name = $"{workload}-{nemesis}-{actualNodes}n-{(durable ? "data" : "mem")}-seed{seed}".ToLowerInvariant(),
            Workload = workload,
            Nemesis = nemesis,
            Nodes = actualNodes,
            Durable = durable,
            Seed = seed,
        });
    }

    /// <summary>
    /// Durable nodes that snapshot every 50 writes, under kills, pauses and partitions: snapshots are captured on the
    /// apply loop and written in the background while writes go on (docs/persistence.md), lagging and restarted nodes
    /// catch up from them, and none of it may lose or reorder an acknowledged write.
    /// </summary>
    [Fact]
    public async Task HistoryIsValid_WithASnapshotEveryFiftyWrites()
    {
        var nodes = JepsenMode.ForcedNodes ?? 3;
        await RunValidAsync(new JepsenRunOptions
        {
            Name = $"all-mixed-{nodes}n-data-snapshot50-seed601",
            Workload = "all",
            Nemesis = NemesisKind.Mixed,
            Nodes = nodes,
            Durable = true,
            Seed = 601,
            ServerArguments = ["--snapshot_entries", "50"],
        });
    }

    /// <summary>Runs one history for the mode's duration (keeping its folder in long mode) and requires it valid.</summary>
    private async Task RunValidAsync(JepsenRunOptions options)
    {
        options.Duration = JepsenMode.Duration;
        options.KeepArtifacts = JepsenMode.Long;
        var result = await JepsenRunner.RunAsync(options, text => output.WriteLine(text.TrimEnd('\n')), TestContext.Current.CancellationToken);
        output.WriteLine($"{result.OperationsChecked} operations checked ({result.Operations} recorded, {result.Faults} faults)");
        Assert.True(result.Valid, result.Summary);
        Assert.True(result.OperationsChecked > 0, "nothing was checked");
    }
}
