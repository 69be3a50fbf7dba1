using System.Diagnostics;

namespace AntiEtcd.LoadGen.Tests;

/// <summary>The cluster CPU and machine idle figures of <c>--cluster-pids</c> (<see cref="ClusterSample"/>).</summary>
public sealed class ClusterSampleTests
{
    [Fact]
    public void ParseMachineTicks_IdleIsIdlePlusIowait_TotalIsFieldsOneToEight()
    {
        // user nice system idle iowait irq softirq steal guest guest_nice
        var (idle, total) = ClusterSample.ParseMachineTicks("cpu  100 20 30 400 50 6 7 8 90 10");

        Assert.Equal(450, idle);

        // Guest time (90, 10) is already inside user and nice: counting it again would inflate the total.
        Assert.Equal(100 + 20 + 30 + 400 + 50 + 6 + 7 + 8, total);
    }

    [Fact]
    public void ParseMachineTicks_OfAShortButCompleteLine_SumsWhatIsThere()
    {
        // Kernels before 2.6.11 stop after iowait, irq and softirq.
        var (idle, total) = ClusterSample.ParseMachineTicks("cpu 1 2 3 4 5 6 7");

        Assert.Equal(9, idle);
        Assert.Equal(28, total);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cpu 1 2 3 4")]
    [InlineData("cpu0 100 20 30 400 50 6 7 8 0 0")]
    [InlineData("intr 100 20 30 400 50 6 7 8 0 0")]
    [InlineData("100 20 30 400 50 6 7 8 0 0")]
    public void ParseMachineTicks_OfAnythingButTheCpuLine_IsNull(string? line)
    {
        Assert.Equal((null, null), ClusterSample.ParseMachineTicks(line));
    }

    [Theory]
    [InlineData("cpu 100 20 x 400 50 6 7 8 0 0")]
    [InlineData("cpu 100 20 30 400 5O 6 7 8 0 0")]
    [InlineData("cpu 100 20 30 400 50 6 7 -8 0 0")]
    [InlineData("cpu 100 20 30 400 50 6 7 99999999999999999999 0 0")]
    public void ParseMachineTicks_WithAFieldThatIsNotATickCount_IsNull_NotAnException(string line)
    {
        Assert.Equal((null, null), ClusterSample.ParseMachineTicks(line));
    }

    [Fact]
    public void CpuBetween_SumsTheNodes_AndFindsTheBusiest()
    {
        var before = Sample([Seconds(1.0), Seconds(2.0), Seconds(0.5)]);
        var after = Sample([Seconds(1.5), Seconds(4.0), Seconds(1.25)]);

        var (sum, busiest) = ClusterSample.CpuBetween(before, after);

        Assert.NotNull(sum);
        Assert.NotNull(busiest);
        Assert.Equal(0.5 + 2.0 + 0.75, sum.Value, 9);
        Assert.Equal(2.0, busiest.Value, 9);
    }

    [Fact]
    public void CpuBetween_WithAnUnreadableNode_IsNull()
    {
        Assert.Equal((null, null), ClusterSample.CpuBetween(Sample([Seconds(1), null]), Sample([Seconds(2), Seconds(3)])));
        Assert.Equal((null, null), ClusterSample.CpuBetween(Sample([Seconds(1), Seconds(1)]), Sample([Seconds(2), null])));
    }

    [Fact]
    public void CpuBetween_WithoutPids_IsNull()
    {
        Assert.Equal((null, null), ClusterSample.CpuBetween(Sample([]), Sample([])));
    }

    [Fact]
    public void IdleBetween_IsTheIdleShareOfTheTicksBetween()
    {
        var before = new ClusterSample([], IdleTicks: 1_000, TotalTicks: 10_000);
        var after = new ClusterSample([], IdleTicks: 1_075, TotalTicks: 10_100);

        var idle = ClusterSample.IdleBetween(before, after);

        Assert.NotNull(idle);
        Assert.Equal(0.75, idle.Value, 9);
    }

    [Fact]
    public void IdleBetween_WhenTheTotalDoesNotGrow_OrATickCountIsMissing_IsNull()
    {
        var before = new ClusterSample([], 1_000, 10_000);

        Assert.Null(ClusterSample.IdleBetween(before, new ClusterSample([], 1_000, 10_000)));
        Assert.Null(ClusterSample.IdleBetween(before, new ClusterSample([], 1_000, 9_999)));
        Assert.Null(ClusterSample.IdleBetween(before, new ClusterSample([], null, 10_100)));
        Assert.Null(ClusterSample.IdleBetween(before, new ClusterSample([], 1_050, null)));
        Assert.Null(ClusterSample.IdleBetween(new ClusterSample([], null, null), new ClusterSample([], 1_050, 10_100)));
    }

    [Fact]
    public void Take_OfThisProcess_SeesTheCpuItBurned_AndAnIdleShare()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("reads /proc/PID/stat and /proc/stat (Linux only)");
        }

        var before = ClusterSample.Take([Environment.ProcessId]);
        BurnCpu(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(20));
        var after = ClusterSample.Take([Environment.ProcessId]);

        var (sum, busiest) = ClusterSample.CpuBetween(before, after);
        Assert.NotNull(sum);
        Assert.True(sum > 0, $"no CPU time seen for this process: {sum}");
        Assert.Equal(sum, busiest);
        var idle = ClusterSample.IdleBetween(before, after);
        Assert.NotNull(idle);
        Assert.InRange(idle.Value, 0, 1);
    }

    private static ClusterSample Sample(TimeSpan?[] nodeCpu) => new(nodeCpu, null, null);

    private static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>Spins on this thread until this process's CPU time grew by <paramref name="cpu"/>, or fails after <paramref name="timeout"/>.</summary>
    private static void BurnCpu(TimeSpan cpu, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        var initial = ProcessCpu();
        var x = 1.0;
        while (ProcessCpu() - initial < cpu)
        {
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                Assert.Fail($"this process did not get {cpu.TotalMilliseconds} ms of CPU in {timeout.TotalSeconds} s");
            }

            for (var i = 0; i < 100_000; i++)
            {
                x = Math.Sqrt(x + i);
            }
        }

        // Keeps the loop from being optimized away.
        Assert.True(x > 0);
    }

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
