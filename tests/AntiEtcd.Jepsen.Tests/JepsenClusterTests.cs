using AntiEtcd.Api;
using AntiEtcd.Client;

namespace AntiEtcd.Jepsen.Tests;

/// <summary>Fast self-tests of the harness against real processes: kill/restart, pause/resume, partitions.</summary>
[Collection("jepsen")]
public sealed class JepsenClusterTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "antietcd-jepsen-selftest-" + Guid.NewGuid().ToString("N"));

    private static int Nodes => JepsenMode.ForcedNodes ?? 3;

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task KilledNodeRestartsOnItsPortWithItsData()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await StartAsync(durable: true, ct);
        using (var client = Client(cluster.ClientUrls))
        {
            await client.PutAsync(new PutRequest { Key = "k"u8.ToArray(), Value = "v"u8.ToArray() }, ct);
        }

        int pid = cluster.Nodes[0].Pid!.Value;
        await cluster.KillAsync(0, ct);
        Assert.False(cluster.Nodes[0].IsRunning);
        cluster.Restart(0);
        Assert.NotEqual(pid, cluster.Nodes[0].Pid);
        await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), ct);
        await cluster.WaitForSettledAsync(TimeSpan.FromSeconds(30), ct);

        using var node0 = Client([cluster.Nodes[0].ClientUrl]);
        var range = await node0.RangeAsync(new RangeRequest { Key = "k"u8.ToArray() }, ct);
        Assert.Single(range.Kvs);
        Assert.Contains("kill -9", await File.ReadAllTextAsync(cluster.Nodes[0].LogPath, ct));
        Assert.Empty(cluster.Nodes[0].UnexpectedExits);
        Assert.True(JepsenRunner.NodeExitReport(cluster.Nodes, 0).Result.Valid);
    }

    [Fact]
    public async Task NodeThatDiesByItselfIsAFindingNotAHarnessFailure()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await StartAsync(durable: false, ct);
        var node = cluster.Nodes[0];

        // Killed from outside the harness: to the harness it is a node that died by itself.
        using (var process = System.Diagnostics.Process.GetProcessById(node.Pid!.Value))
        {
            process.Kill();
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (node.UnexpectedExits.Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the exit was not recorded within 20 s");
            await Task.Delay(20, ct);
        }

        var exit = Assert.Single(node.UnexpectedExits);
        Assert.Equal(1, exit.Start);
        Assert.Equal(137, exit.ExitCode);

        // The nemesis's next fault on that node is skipped, not thrown.
        Assert.False(cluster.Pause(0));
        Assert.False(node.IsPaused);

        var report = JepsenRunner.NodeExitReport(cluster.Nodes, 0);
        Assert.False(report.Result.Valid);
        Assert.Contains("n1 (start #1) exited by itself with code 137", report.Result.Explanation, StringComparison.Ordinal);
        Assert.Contains("exited by itself", await File.ReadAllTextAsync(node.LogPath, ct), StringComparison.Ordinal);

        // A restart followed by the harness's own kill and stop adds nothing.
        cluster.Restart(0);
        await cluster.KillAsync(0, ct);
        cluster.Restart(0);
        await cluster.StopNodeAsync(0, TimeSpan.FromSeconds(10), ct);
        Assert.Single(node.UnexpectedExits);
    }

    [Fact]
    public async Task PausedNodeAnswersNothingUntilResumed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await StartAsync(durable: false, ct);
        using var node0 = Client([cluster.Nodes[0].ClientUrl], TimeSpan.FromMilliseconds(500));
        cluster.Pause(0);
        Assert.True(cluster.Nodes[0].IsPaused);
        await Assert.ThrowsAsync<AntiEtcdClientException>(() => node0.StatusAsync(cluster.Nodes[0].ClientUrl, ct));
        cluster.Resume(0);
        var status = await node0.StatusAsync(cluster.Nodes[0].ClientUrl, ct);
        Assert.Equal("n1", status.NodeId);
    }

    [Fact]
    public async Task IsolatedLeaderIsReplacedAndHealedClusterAgrees()
    {
        if (Nodes < 3)
        {
            Assert.Skip("partitions need at least 3 nodes");
        }

        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await StartAsync(durable: false, ct);
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), ct);
        var blocked = new List<(int, int)>();
        var others = new List<int>();
        for (int i = 0; i < cluster.Nodes.Count; i++)
        {
            if (i != leader.Index)
            {
                blocked.Add((leader.Index, i));
                blocked.Add((i, leader.Index));
                others.Add(i);
            }
        }

        cluster.SetBlockedLinks(blocked);
        var successor = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), ct, others);
        output.WriteLine($"leader {leader.NodeId} (term {leader.Term}) isolated; {successor.NodeId} leads term {successor.Term}");
        Assert.NotEqual(leader.Index, successor.Index);
        Assert.True(successor.Term > leader.Term);

        cluster.HealNetwork();
        var healed = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), ct);
        Assert.True(healed.Term >= successor.Term);
    }

    [Fact]
    public async Task SlowLinksDelayReplicationUntilHealed()
    {
        if (Nodes < 3)
        {
            Assert.Skip("slow links need peers");
        }

        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await StartAsync(durable: false, ct);
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), ct);
        int other = (leader.Index + 1) % cluster.Nodes.Count;

        // One node's links only: both directions of each, nothing else.
        cluster.SetLinkDelay(other, TimeSpan.FromMilliseconds(50));
        AssertLinkDelays(cluster, (from, to) => from == other || to == other ? TimeSpan.FromMilliseconds(50) : TimeSpan.Zero);

        // Every link: a write commits only after an append and its acknowledgement crossed delayed links.
        cluster.SetLinkDelay(null, TimeSpan.FromMilliseconds(100));
        using var client = Client([cluster.Nodes[leader.Index].ClientUrl]);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await client.PutAsync(new PutRequest { Key = "slow"u8.ToArray(), Value = "v"u8.ToArray() }, ct);
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(190), "a put committed without crossing the delayed links");

        cluster.HealNetwork();
        AssertLinkDelays(cluster, (_, _) => TimeSpan.Zero);

        await client.PutAsync(new PutRequest { Key = "slow"u8.ToArray(), Value = "w"u8.ToArray() }, ct);
    }

    private static void AssertLinkDelays(JepsenCluster cluster, Func<int, int, TimeSpan> expected)
    {
        for (int from = 0; from < cluster.Nodes.Count; from++)
        {
            for (int to = 0; to < cluster.Nodes.Count; to++)
            {
                if (from != to)
                {
                    Assert.Equal(expected(from, to), cluster.Link(from, to).Delay);
                }
            }
        }
    }

    private async Task<JepsenCluster> StartAsync(bool durable, CancellationToken ct)
    {
        var cluster = await JepsenCluster.StartAsync(new JepsenClusterOptions { Nodes = Nodes, Durable = durable, Directory = _directory }, ct);
        output.WriteLine(cluster.Nodes[0].CommandLine);
        return cluster;
    }

    private static AntiEtcdClient Client(IReadOnlyList<Uri> endpoints, TimeSpan? timeout = null) =>
        new(new AntiEtcdClientOptions { Endpoints = endpoints, Timeout = timeout ?? TimeSpan.FromSeconds(10) });
}
