using System.Text.Json.Nodes;
using static AntiEtcd.Server.Tests.ClusterNode.Unavailable;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>
/// SPEC §8.4 rule 3, U9: a read index, keepalive or time-to-live that no heartbeat quorum confirms by its deadline is
/// a 503 that says it was not executed (safe to retry), unlike a write's (U6–U8); serializable reads are not held up.
/// </summary>
[Collection("cluster")]
public sealed class ReadTimeoutTests
{
    [Fact]
    public async Task Reads_and_lease_answers_a_silent_quorum_cannot_confirm_time_out_as_not_executed()
    {
        await using var cluster = await TestCluster.StartWithDeadlineBeforeElectionAsync();
        var leader = await cluster.WaitForLeaderAsync(timeout: TimeSpan.FromSeconds(45));
        await cluster.PutOkAsync(leader, "k", "v");
        var grant = await cluster.PostAsync(leader, "/v3/lease/grant", new JsonObject { ["TTL"] = 60 });
        Assert.Equal(200, grant.Status);
        var lease = NodeReply.Number(grant.Body["ID"]);
        cluster.Hold(leader);

        var read = await cluster.RangeAsync(leader, "k");
        Assert.Equal((503, U9), (read.Status, read.Message));
        var keepAlive = await cluster.PostAsync(leader, "/v3/lease/keepalive", new JsonObject { ["ID"] = lease });
        Assert.Equal((503, U9), (keepAlive.Status, keepAlive.Message));
        var timeToLive = await cluster.PostAsync(leader, "/v3/lease/timetolive", new JsonObject { ["ID"] = lease });
        Assert.Equal((503, U9), (timeToLive.Status, timeToLive.Message));

        // Local state needs no quorum.
        Assert.Equal("v", await cluster.GetAsync(leader, "k", serializable: true));

        cluster.Release(leader);
        await Until.TrueAsync(async () => (await cluster.RangeAsync(leader, "k")).Status == 200, TimeSpan.FromSeconds(15), () => "linearizable reads did not come back after the release");
    }
}
