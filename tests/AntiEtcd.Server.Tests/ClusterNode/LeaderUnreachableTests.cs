using System.Text.Json.Nodes;
using static AntiEtcd.Server.Tests.ClusterNode.Unavailable;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>
/// SPEC §8.4 rule 2 (U4) and §3.6: a follower that still hears its leader but has no connection of its own to it
/// refuses what needs readiness W, says that a retry is safe, and keeps serving local reads.
/// </summary>
[Collection("cluster")]
public sealed class LeaderUnreachableTests
{

    /// <summary>Cuts the follower's own connection to the leader (the leader's connection to it stays up) and waits until it notices.</summary>
    private static async Task CutFromLeaderAsync(TestCluster cluster, int follower, int leader)
    {
        cluster.CutLink(follower, leader);
        var unreachable = $"peer {cluster.Names[leader]} is unreachable";
        await Until.TrueAsync(
            async () => (await cluster.StatusAsync(follower)).Body["errors"] is JsonArray errors && errors.Any(e => e?.GetValue<string>() == unreachable),
            TimeSpan.FromSeconds(10),
            () => $"{cluster.Names[follower]} never reported '{unreachable}'");
        var status = await cluster.StatusAsync(follower);
        Assert.Equal(cluster.Names[leader], status.Body["leaderNodeId"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_follower_cut_from_its_leader_answers_U4_executes_nothing_and_recovers()
    {
        await using var cluster = await TestCluster.StartAsync(3, proxies: true, configure: (_, o) => o.WaitQuorumTimeout = 1000);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = (leader + 1) % 3;
        await cluster.PutOkAsync(follower, "k", "before");
        Assert.Equal("before", await cluster.GetAsync(follower, "k", serializable: true));

        await CutFromLeaderAsync(cluster, follower, leader);

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

    [Fact]
    public async Task Health_of_a_follower_cut_from_its_leader_is_false_and_serializable_health_true()
    {
        await using var cluster = await TestCluster.StartAsync(3, proxies: true);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = (leader + 1) % 3;
        await cluster.PutOkAsync(leader, "k", "v");
        await Until.TrueAsync(
            async () => await HealthAsync(cluster, follower, "") == ("true", 200),
            TimeSpan.FromSeconds(10),
            () => "the follower never became healthy");

        // SPEC §6.2: /health needs readiness L and W; the follower has L only.
        await CutFromLeaderAsync(cluster, follower, leader);
        var (health, status) = await HealthAsync(cluster, follower, "");
        Assert.True((health, status) == ("false", 503), $"{health} {status}");
        Assert.Equal(("true", 200), await HealthAsync(cluster, follower, "?serializable=true"));
        Assert.Equal(("true", 200), await HealthAsync(cluster, leader, ""));

        cluster.HealLink(follower, leader);
        await Until.TrueAsync(
            async () => await HealthAsync(cluster, follower, "") == ("true", 200),
            TimeSpan.FromSeconds(10),
            () => "the follower did not become healthy again");
    }

    [Fact]
    public async Task Health_of_a_node_that_knows_no_leader_is_false_with_a_reason()
    {
        await using var cluster = TestCluster.Create(3);
        await cluster.StartNodeAsync(0);
        foreach (var query in new[] { "", "?serializable=true" })
        {
            using var response = await cluster.Http[0].GetAsync("/health" + query, TestContext.Current.CancellationToken);
            Assert.Equal(503, (int)response.StatusCode);
            Assert.Equal("{\"health\":\"false\",\"reason\":\"etcdserver: no leader\"}", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
    }

    private static async Task<(string? Health, int Status)> HealthAsync(TestCluster cluster, int index, string query)
    {
        using var response = await cluster.Http[index].GetAsync("/health" + query, TestContext.Current.CancellationToken);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        if (body["health"]?.GetValue<string>() == "false")
        {
            Assert.False(string.IsNullOrEmpty(body["reason"]?.GetValue<string>()), body.ToJsonString());
        }

        return (body["health"]?.GetValue<string>(), (int)response.StatusCode);
    }
}
