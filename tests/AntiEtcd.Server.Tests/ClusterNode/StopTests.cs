using System.Diagnostics;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>Graceful stop in a cluster (SPEC §8.2, §13.3): leadership is handed over, and the stop is prompt.</summary>
[Collection("cluster")]
public sealed class StopTests
{
    [Fact]
    public async Task GracefulStopOfTheLeaderHandsLeadershipOverAndWritesGoOn()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        await cluster.PutOkAsync(leader, "before", "1");
        var oldTerm = cluster.Servers[leader]!.RaftState.Term;
        await cluster.StopNodeAsync(leader);

        var survivors = cluster.Running.ToArray();
        var next = await cluster.WaitForLeaderAsync(survivors, TimeSpan.FromSeconds(10), except: cluster.Names[leader]);
        Assert.NotEqual(leader, next);
        Assert.True(cluster.Servers[next]!.RaftState.Term > oldTerm);
        foreach (var i in survivors)
        {
            await cluster.PutOkAsync(i, "after/" + i, "2");
            Assert.Equal("1", await cluster.GetAsync(i, "before"));
        }

        // The transfer (TimeoutNow) made the successor campaign at once: its log shows no election timeout.
        Assert.Contains(cluster.Events[next].ToArray(), e => e.Role == RaftRole.Leader && e.Term > oldTerm);
    }

    /// <summary>
    /// An idle node has no client request in flight, so its stop should not wait for <c>replication_timeout</c>.
    /// The peer WebSocket connections that other nodes dialled into its listener are long-lived requests; if the
    /// listener drains them like client requests, every graceful stop (and SIGTERM) of a cluster node takes the whole
    /// <c>replication_timeout</c>.
    /// </summary>
    [Fact]
    public async Task StopOfAnIdleClusterNodeDoesNotWaitForReplicationTimeout()
    {
        // n3 stays a follower (a lower leader_priority); only it gets the long replication_timeout.
        await using var cluster = await TestCluster.StartAsync(3, configure: (i, o) =>
        {
            o.LeaderPriority = i == 2 ? 0 : 1;
            o.ReplicationTimeout = i == 2 ? 8000 : o.ReplicationTimeout;
        });
        var follower = 2;
        await cluster.WaitForLeaderAsync(timeout: TimeSpan.FromSeconds(10), except: cluster.Names[follower]);

        await cluster.PutOkAsync(follower, "k", "v");
        var server = cluster.Servers[follower]!;
        cluster.Servers[follower] = null;
        var clock = Stopwatch.StartNew();
        var stop = server.StopAsync(TestContext.Current.CancellationToken);
        var finished = await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken));
        var elapsed = clock.Elapsed;
        await stop;
        Assert.True(finished == stop, $"StopAsync of an idle follower took {elapsed.TotalSeconds:0.0} s (replication_timeout is 8 s): the peer connections are drained like client requests");
    }
}
