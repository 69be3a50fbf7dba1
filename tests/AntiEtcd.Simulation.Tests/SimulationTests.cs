using System.Globalization;

namespace AntiEtcd.Simulation.Tests;

/// <summary>
/// Deterministic simulation (DESIGN §7.2): fixed seeds in CI, any number locally.
/// ANTIETCD_SIM_SEEDS=N runs N more seeds per cluster size; ANTIETCD_SIM_SEED=s (with ANTIETCD_SIM_NODES) replays one;
/// ANTIETCD_SIM_INCOMPLETE=rate restarts that share of nodes incomplete in both (0.5 replays an IncompleteRestarts seed).
/// </summary>
[Collection(nameof(SimulationCollection))]
public sealed class SimulationTests(ITestOutputHelper output)
{
    private const int SeedsPerCase = 50;

    public static TheoryData<int, int> Batches()
    {
        var data = new TheoryData<int, int>();
        for (var batch = 0; batch < 12; batch++)
        {
            data.Add(3, batch * SeedsPerCase);
        }

        for (var batch = 0; batch < 8; batch++)
        {
            data.Add(5, 100_000 + (batch * SeedsPerCase));
        }

        return data;
    }

    /// <summary>12 × 50 seeds on 3 nodes and 8 × 50 on 5 nodes: 1,000 seeds.</summary>
    [Theory]
    [MemberData(nameof(Batches))]
    public void FixedSeeds(int nodes, int firstSeed)
    {
        long events = 0;
        var acked = 0;
        var reads = 0;
        for (var seed = firstSeed; seed < firstSeed + SeedsPerCase; seed++)
        {
            TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
            var sim = new Simulation(new SimOptions { Seed = seed, Nodes = nodes });
            sim.Run();
            events += sim.Events;
            acked += sim.Checker.AckedWrites;
            reads += sim.Checker.ServedReads;
        }

        output.WriteLine($"{SeedsPerCase} seeds from {firstSeed}: {events} events, {acked} acknowledged writes, {reads} reads");
        Assert.True(acked > SeedsPerCase * 10, "the workload must make progress");
    }

    /// <summary>
    /// SPEC §9.4: half the restarts come back incomplete, so complete leaders replace followers' states with snapshots
    /// taken for them (discarding their logs) while crashes, partitions and message faults go on. 2 × 100 seeds.
    /// </summary>
    [Theory]
    [InlineData(3, 200_000)]
    [InlineData(5, 300_000)]
    public void IncompleteRestarts(int nodes, int firstSeed)
    {
        const int seeds = 100;
        var acked = 0;
        var forced = 0;
        var incomplete = 0;
        for (var seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
            var sim = new Simulation(new SimOptions { Seed = seed, Nodes = nodes, IncompleteRestartRate = 0.5 });
            sim.Run();
            acked += sim.Checker.AckedWrites;
            forced += sim.Stats.GetValueOrDefault("snapshots for incomplete");
            incomplete += sim.Stats.GetValueOrDefault("incomplete restarts");
        }

        output.WriteLine($"{seeds} seeds from {firstSeed}: {acked} acknowledged writes, {incomplete} incomplete restarts, {forced} snapshots taken for incomplete followers");
        Assert.True(acked > seeds * 10, "the workload must make progress");
        Assert.True(forced > seeds / 2, $"only {forced} snapshots were taken for incomplete followers in {seeds} runs");
    }

    /// <summary>Runs ANTIETCD_SIM_SEEDS random-ish seeds, or replays ANTIETCD_SIM_SEED.</summary>
    [Fact]
    public void SeedsFromEnvironment()
    {
        var nodesVar = Environment.GetEnvironmentVariable("ANTIETCD_SIM_NODES");
        var incomplete = Environment.GetEnvironmentVariable("ANTIETCD_SIM_INCOMPLETE") is { } rate ? double.Parse(rate, CultureInfo.InvariantCulture) : 0;
        int[] sizes = nodesVar is null ? [3, 5] : [int.Parse(nodesVar, CultureInfo.InvariantCulture)];
        if (Environment.GetEnvironmentVariable("ANTIETCD_SIM_SEED") is { } one)
        {
            foreach (var n in sizes)
            {
                new Simulation(new SimOptions { Seed = int.Parse(one, CultureInfo.InvariantCulture), Nodes = n, IncompleteRestartRate = incomplete }).Run();
            }

            return;
        }

        if (Environment.GetEnvironmentVariable("ANTIETCD_SIM_SEEDS") is not { } count)
        {
            return;
        }

        for (var i = 0; i < int.Parse(count, CultureInfo.InvariantCulture); i++)
        {
            TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
            foreach (var n in sizes)
            {
                new Simulation(new SimOptions { Seed = 1_000_000 + i, Nodes = n, IncompleteRestartRate = incomplete }).Run();
            }
        }
    }

    /// <summary>The simulation is not vacuous: over a few seeds every fault and every feature is exercised.</summary>
    [Fact]
    public void FaultsAndFeaturesAreExercised()
    {
        var totals = new Dictionary<string, long>();
        foreach (var nodes in new[] { 3, 5 })
        {
            for (var seed = 0; seed < 10; seed++)
            {
                var sim = new Simulation(new SimOptions { Seed = 7_000 + seed, Nodes = nodes });
                sim.Run();
                foreach (var (k, v) in sim.Stats)
                {
                    totals[k] = totals.GetValueOrDefault(k) + v;
                }

                totals["elections"] = totals.GetValueOrDefault("elections") + sim.Checker.Elections;
                totals["acked"] = totals.GetValueOrDefault("acked") + sim.Checker.AckedWrites;
                totals["reads"] = totals.GetValueOrDefault("reads") + sim.Checker.ServedReads;
            }
        }

        var summary = string.Join(", ", totals.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        output.WriteLine(summary);
        Assert.All(totals, p => Assert.True(p.Value > 0, $"{p.Key} never happened: {summary}"));
        Assert.True(totals["elections"] > 40, summary);
        Assert.True(totals["snapshots"] > 5, summary);
    }

    /// <summary>The harsh setting that PlantedBugTests uses to find the Figure 8 bug must pass with the correct core.</summary>
    [Fact]
    public void HarshFigure8SettingPassesWithCorrectCore()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
            new Simulation(PlantedBugTests.Figure8Hunt(new SimOptions { Seed = seed, Nodes = seed % 2 == 0 ? 3 : 5, Priorities = false })).Run();
        }
    }

    [Fact]
    public void SameSeedReplaysExactly()
    {
        var a = new Simulation(new SimOptions { Seed = 42, Nodes = 5 });
        var b = new Simulation(new SimOptions { Seed = 42, Nodes = 5 });
        a.Run();
        b.Run();
        Assert.Equal(a.Events, b.Events);
        Assert.Equal(a.Checker.AckedWrites, b.Checker.AckedWrites);
        Assert.Equal(a.Checker.MaxCommit, b.Checker.MaxCommit);
    }
}
