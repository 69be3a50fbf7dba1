using AntiEtcd.Raft;

namespace AntiEtcd.Simulation.Tests;

/// <summary>
/// The simulation earns trust by catching real mistakes: each test plants one classic Raft bug (through the
/// internal <c>RaftConfig.PlantedBugs</c> switch, per node, never global) and expects a violation within a
/// bounded number of seeds. If a change to the simulation stops it finding these, these tests fail.
/// </summary>
[Collection(nameof(SimulationCollection))]
public sealed class PlantedBugTests(ITestOutputHelper output)
{
    private const int MaxSeeds = 400;

    /// <summary>Two votes in one term break election safety (Raft §5.2): two leaders of one term.</summary>
    [Fact]
    public void GrantingTwoVotesInATermIsCaught() =>
        ExpectViolation(RaftBugs.GrantTwoVotesInTerm, o => o with { PreVote = false, CheckQuorum = false }, "election safety", "log matching", "apply order", "acknowledged write lost", "leader completeness");

    /// <summary>Voting for a candidate with an older log breaks leader completeness (Raft §5.4.1).</summary>
    [Fact]
    public void SkippingTheUpToDateCheckIsCaught() =>
        ExpectViolation(RaftBugs.SkipUpToDateCheck, o => o, "leader completeness", "apply order", "acknowledged write lost", "log matching");

    /// <summary>Committing an entry of an earlier term by counting replicas (Raft §5.4.2, Figure 8).</summary>
    [Fact]
    public void CommittingAnEarlierTermByCountingIsCaught() =>
        ExpectViolation(RaftBugs.CommitPreviousTermByCounting, Figure8Hunt, "leader completeness", "apply order", "acknowledged write lost");

    /// <summary>Serving read index without a quorum round lets a deposed leader return stale data (thesis §6.4).</summary>
    [Fact]
    public void ReadIndexWithoutQuorumIsCaught() =>
        ExpectViolation(RaftBugs.ReadIndexWithoutQuorum, o => o with { CheckQuorum = false }, "stale read");

    /// <summary>A leader counting its own unpersisted entries can lose acknowledged writes when it crashes (DESIGN §1 step 2).</summary>
    [Fact]
    public void LeaderCountingItselfBeforePersistIsCaught() =>
        ExpectViolation(RaftBugs.LeaderCountsSelfBeforePersist, o => o with { MaxFsyncMs = 30, CrashLeaderBias = 0.9, CrashRate = 0.5, NemesisEveryMs = 60, MaxDownMs = 200 }, "acknowledged write lost", "apply order", "leader completeness");

    /// <summary>
    /// Figure 8 needs three leaders in a row at one index with crashes in between: one entry per message, a tiny
    /// window, a lossy network and frequent leader crashes make it common enough (the correct core passes 3,000
    /// seeds of this setting, see <see cref="SimulationTests"/>).
    /// </summary>
    internal static SimOptions Figure8Hunt(SimOptions o) => o with
    {
        MaxSizePerMessage = 1, MaxInflight = 1, PreVote = false, CheckQuorum = false, CrashLeaderBias = 0.7,
        CrashRate = 0.5, NemesisEveryMs = 40, MaxDownMs = 100, DropRate = 0.3, FaultyMs = 8000,
    };

    /// <summary>A failure names its seed, the replay command and the last events, and replays to the same report.</summary>
    [Fact]
    public void ViolationReportHasSeedTraceAndReplaysExactly()
    {
        string? first = null;
        var seed = 0;
        for (; seed < MaxSeeds && first is null; seed++)
        {
            first = Failure(new SimOptions { Seed = seed, Nodes = 3, Bugs = RaftBugs.SkipUpToDateCheck, Priorities = false });
        }

        Assert.NotNull(first);
        Assert.Contains($"seed={seed - 1} nodes=3", first, StringComparison.Ordinal);
        Assert.Contains($"ANTIETCD_SIM_SEED={seed - 1}", first, StringComparison.Ordinal);
        Assert.Contains("Last 50 events:", first, StringComparison.Ordinal);
        Assert.True(first.Split('\n').Count(l => l.StartsWith("  t=", StringComparison.Ordinal)) == 50, first);
        Assert.Equal(first, Failure(new SimOptions { Seed = seed - 1, Nodes = 3, Bugs = RaftBugs.SkipUpToDateCheck, Priorities = false }));
        output.WriteLine(first);
    }

    private static string? Failure(SimOptions options)
    {
        try
        {
            new Simulation(options).Run();
            return null;
        }
        catch (SimulationViolationException ex)
        {
            return ex.Message;
        }
    }

    private void ExpectViolation(RaftBugs bug, Func<SimOptions, SimOptions> tune, params string[] expected)
    {
        for (var seed = 0; seed < MaxSeeds; seed++)
        {
            TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
            // Priority transfers off: fewer leader changes make some bugs need more seeds.
            var options = tune(new SimOptions { Seed = seed, Nodes = seed % 2 == 0 ? 3 : 5, Bugs = bug, Priorities = false });
            try
            {
                new Simulation(options).Run();
            }
            catch (SimulationViolationException ex)
            {
                output.WriteLine($"{bug} found by seed {seed}:\n{ex.Message}");
                Assert.Contains(expected, e => ex.Violation.Contains(e, StringComparison.Ordinal));
                return;
            }
        }

        Assert.Fail($"the simulation did not catch {bug} in {MaxSeeds} seeds");
    }
}
