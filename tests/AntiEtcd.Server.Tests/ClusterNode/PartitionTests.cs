using static AntiEtcd.Server.Tests.ClusterNode.Unavailable;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>SPEC §8.2, §8.7: a leader cut off from the majority serves no stale linearizable read and commits no write.</summary>
[Collection("cluster")]
public sealed class PartitionTests
{
    [Fact]
    public async Task PartitionedLeaderServesNoStaleReadAndNoWriteThenRejoins()
    {
        await using var cluster = await TestCluster.StartAsync(3, proxies: true, configure: (_, o) => o.WaitQuorumTimeout = 1500);
        var old = await cluster.WaitForLeaderAsync();
        await cluster.PutOkAsync(old, "p", "old");
        foreach (var i in cluster.Running)
        {
            Assert.Equal("old", await cluster.GetAsync(i, "p"));
        }

        cluster.Isolate(old);
        var majority = cluster.Running.Where(i => i != old).ToArray();
        var next = await cluster.WaitForLeaderAsync(majority, TimeSpan.FromSeconds(10), except: cluster.Names[old]);
        await cluster.PutOkAsync(majority[0], "p", "new");

        // A linearizable read sent to the old leader now: a safe-to-retry 503, or the new value; never "old".
        var read = await cluster.RangeAsync(old, "p");
        if (read.Status == 200)
        {
            Assert.Equal("new", TestCluster.Text(read.Body["kvs"]?[0]?["value"]));
        }
        else
        {
            Assert.True(read.Status == 503 && read.Message.EndsWith(NotExecuted, StringComparison.Ordinal), $"stale-read guard: {read}");
        }

        // A write sent to it fails with a 503 of SPEC §3.6 rather than succeeding.
        var write = await cluster.PutAsync(old, "p", "stale-write");
        Assert.True(write.Status == 503 && write.Message.StartsWith("etcdserver: ", StringComparison.Ordinal), $"write on the partitioned leader: {write}");

        // Check-quorum: it stops calling itself leader.
        await Until.TrueAsync(
            async () => (await cluster.StatusAsync(old)).Body["raftState"]?.GetValue<string>() != "leader",
            TimeSpan.FromSeconds(5),
            () => "the partitioned leader still claims leadership");

        cluster.Heal(old);
        await Until.TrueAsync(
            async () =>
            {
                var status = await cluster.StatusAsync(old);
                return status.Body["leaderNodeId"]?.GetValue<string>() == cluster.Names[next]
                    && await cluster.GetAsync(old, "p", serializable: true) == "new";
            },
            TimeSpan.FromSeconds(10),
            () => "the old leader did not rejoin and converge");

        // The write refused during the partition was never applied anywhere (its entry, if any, was overwritten).
        var barrier = await cluster.PutOkAsync(next, "barrier", "1");
        foreach (var i in cluster.Running)
        {
            Assert.Equal("new", await cluster.GetAsync(i, "p"));
            Assert.True((await cluster.RangeAsync(i, "barrier")).Revision >= barrier);
        }
    }
}
