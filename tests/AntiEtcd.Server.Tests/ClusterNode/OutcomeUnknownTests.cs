namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>
/// SPEC §3.6 and §8.4: a write whose outcome is not known at its deadline is a 503 that says so ("outcome unknown, the
/// request may have been applied"), and names the cause when there is one: U6 (plain timeout), U7 (the proposing leader
/// lost leadership), U8 (a forwarded write's connection to the leader broke after it was sent). Each test then shows
/// the outcome really was open: the write is applied later, or never.
/// </summary>
[Collection("cluster")]
public sealed class OutcomeUnknownTests
{
    [Fact]
    public async Task U6_A_write_the_leader_cannot_replicate_before_its_deadline_may_still_be_applied_later()
    {
        await using var cluster = await TestCluster.StartWithDeadlineBeforeElectionAsync();
        var leader = await cluster.WaitForLeaderAsync(timeout: TimeSpan.FromSeconds(45));
        cluster.Hold(leader);

        var write = await cluster.PutAsync(leader, "u6", "v");
        Assert.Equal(503, write.Status);
        Assert.Equal(Unavailable.U6, write.Message);

        // Delivered late, the append commits: "may have been applied" was the truth.
        cluster.Release(leader);
        foreach (var i in cluster.Running)
        {
            await Until.TrueAsync(async () => await cluster.GetAsync(i, "u6", serializable: true) == "v", TimeSpan.FromSeconds(15), () => $"{cluster.Names[i]} never applied the timed-out write");
        }
    }

    [Fact]
    public async Task U7_A_write_whose_leader_was_deposed_meanwhile_names_the_leader_failure()
    {
        await using var cluster = await TestCluster.StartAsync(3, proxies: true);
        var old = await cluster.WaitForLeaderAsync();
        cluster.Hold(old);

        // Proposed in its term, replicated to nobody; check-quorum deposes it and the others elect a new leader.
        var write = await cluster.PutAsync(old, "u7", "v");
        Assert.Equal(503, write.Status);
        Assert.Equal(Unavailable.U7, write.Message);

        // Here the entry never left the old leader, so the new leader's log replaces it: not applied anywhere.
        var majority = cluster.Running.Where(i => i != old).ToArray();
        await cluster.WaitForLeaderAsync(majority, TimeSpan.FromSeconds(15), except: cluster.Names[old]);
        cluster.Release(old);
        var next = await cluster.WaitForLeaderAsync();
        await cluster.PutOkAsync(next, "after", "1");
        foreach (var i in cluster.Running)
        {
            await Until.TrueAsync(async () => await cluster.GetAsync(i, "after", serializable: true) == "1", TimeSpan.FromSeconds(15), () => $"{cluster.Names[i]} did not catch up");
            Assert.Null(await cluster.GetAsync(i, "u7", serializable: true));
        }
    }

    [Fact]
    public async Task U8_A_forwarded_write_whose_connection_breaks_after_it_was_sent_names_the_connection()
    {
        await using var cluster = await TestCluster.StartAsync(3, proxies: true, configure: (_, o) => o.ForwardTimeout = 10_000);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.Running.First(i => i != leader);

        // The follower's own connection to the leader goes silent; the leader's heartbeats still reach it.
        cluster.HoldLink(follower, leader);
        var write = cluster.PutAsync(follower, "u8", "v");
        var server = cluster.Servers[follower]!;
        await Until.TrueAsync(() => server.ForwardsSent == 1 || write.IsCompleted, TimeSpan.FromSeconds(10), () => "the write was never forwarded");
        cluster.CutLink(follower, leader);

        var reply = await write;
        Assert.Equal(503, reply.Status);
        Assert.Equal(Unavailable.U8, reply.Message);

        // The held bytes died with the connection: the leader never saw the write.
        cluster.ReleaseLink(follower, leader);
        cluster.HealLink(follower, leader);
        await cluster.PutOkAsync(leader, "after", "1");
        foreach (var i in cluster.Running)
        {
            await Until.TrueAsync(async () => await cluster.GetAsync(i, "after", serializable: true) == "1", TimeSpan.FromSeconds(15), () => $"{cluster.Names[i]} did not catch up");
            Assert.Null(await cluster.GetAsync(i, "u8", serializable: true));
        }
    }
}
