using System.Text.Json.Nodes;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>
/// SPEC §8.4 rule 2 (U4) and §3.6: a follower that still hears its leader but has no connection of its own to it
/// refuses what needs readiness W, says that a retry is safe, and keeps serving local reads.
/// </summary>
[Collection("cluster")]
public sealed class LeaderUnreachableTests
{
    private const string U4 = "etcdserver: leader unreachable (request not executed, safe to retry)";

    [Fact]
    public async Task A_follower_cut_from_its_leader_answers_U4_executes_nothing_and_recovers()
    {
        await using var cluster = await TestCluster.StartAsync(3, proxies: true, configure: (_, o) => o.WaitQuorumTimeout = 1000);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = (leader + 1) % 3;
        await cluster.PutOkAsync(follower, "k", "before");
        Assert.Equal("before", await cluster.GetAsync(follower, "k", serializable: true));

        // Only the follower's own connection to the leader goes; the leader's connection to it stays up.
        cluster.CutLink(follower, leader);
        var unreachable = $"peer {cluster.Names[leader]} is unreachable";
        await Until.TrueAsync(
            async () => (await cluster.StatusAsync(follower)).Body["errors"] is JsonArray errors && errors.Any(e => e?.GetValue<string>() == unreachable),
            TimeSpan.FromSeconds(10),
            () => $"{cluster.Names[follower]} never reported '{unreachable}'");
        var status = await cluster.StatusAsync(follower);
        Assert.Equal(cluster.Names[leader], status.Body["leaderNodeId"]?.GetValue<string>());

        var atOnce = await cluster.PutAsync(follower, "k", "during", query: "nowaitquorum=true");
        Assert.True(atOnce.Status == 503 && atOnce.Message == U4, atOnce.ToString());
        var waited = await cluster.PutAsync(follower, "k", "during");
        Assert.True(waited.Status == 503 && waited.Message == U4, waited.ToString());
        var grant = await cluster.PostAsync(follower, "/v3/lease/grant", new JsonObject { ["TTL"] = 5 });
        Assert.True(grant.Status == 503 && grant.Message == U4, grant.ToString());
        var linearizable = await cluster.RangeAsync(follower, "k");
        Assert.True(linearizable.Status == 503 && linearizable.Message == U4, linearizable.ToString());

        // Readiness L does not need the connection: serializable reads are still served here.
        Assert.Equal("before", await cluster.GetAsync(follower, "k", serializable: true));

        cluster.HealLink(follower, leader);
        await Until.TrueAsync(
            async () => (await cluster.PutAsync(follower, "after", "1")).Status == 200,
            TimeSpan.FromSeconds(10),
            () => $"{cluster.Names[follower]} did not accept writes again after the link healed");

        // "Not executed": none of the refused writes happened.
        Assert.Equal("before", await cluster.GetAsync(leader, "k"));
        Assert.Equal("before", await cluster.GetAsync(follower, "k"));
        Assert.Null((await cluster.PostAsync(leader, "/v3/lease/leases", new JsonObject())).Body["leases"]);
    }
}
