using System.Text.Json.Nodes;
using static AntiEtcd.Server.Tests.ClusterNode.Unavailable;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>
/// SPEC §7.4 and §3.5 on cluster nodes over a real WebSocket: a watch is served by the node that accepted it, and its
/// create fails with the §8.4 message when the flags or the node's readiness say so.
/// </summary>
[Collection("cluster")]
public sealed class WatchInClusterTests
{
    private static JsonObject Result(string? message)
    {
        Assert.NotNull(message);
        return JsonNode.Parse(message)!["result"]!.AsObject();
    }

    [Fact]
    public async Task A_watch_on_a_follower_gets_the_writes_made_on_the_leader_and_leaderonly_refuses_the_create()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = (leader + 1) % 3;

        await using (var ws = await WsClient.ConnectAsync(cluster.Servers[follower]!))
        {
            await ws.SendAsync($"{{\"create_request\":{{\"key\":\"{TestCluster.B64("w")}\",\"prev_kv\":true}}}}");
            var created = Result(await ws.ReceiveAsync());
            Assert.True(created["created"]?.GetValue<bool>(), created.ToJsonString());
            Assert.Equal("0", created["watch_id"]?.GetValue<string>());

            var first = await cluster.PutOkAsync(leader, "w", "1");
            var second = await cluster.PutOkAsync((leader + 2) % 3, "w", "2");
            var revisions = new List<long>();
            while (revisions.Count < 2)
            {
                var events = Result(await ws.ReceiveAsync())["events"]!.AsArray();
                revisions.AddRange(events.Select(e => NodeReply.Number(e!["kv"]!["mod_revision"])));
                Assert.All(events, e => Assert.Equal("PUT", e!["type"]?.GetValue<string>()));
            }

            Assert.Equal([first, second], revisions);
        }

        // The flags of the upgrade request apply to every create on that connection (SPEC §3.5).
        await using (var ws = await WsClient.ConnectAsync(cluster.Servers[follower]!, "/v3/watch?leaderonly=true"))
        {
            for (var i = 0; i < 2; i++)
            {
                await ws.SendAsync($"{{\"create_request\":{{\"key\":\"{TestCluster.B64("w")}\"}}}}");
                var failed = Result(await ws.ReceiveAsync());
                Assert.Equal("-1", failed["watch_id"]?.GetValue<string>());
                Assert.True(failed["created"]?.GetValue<bool>() == true && failed["canceled"]?.GetValue<bool>() == true, failed.ToJsonString());
                Assert.Equal(U2, failed["cancel_reason"]?.GetValue<string>());
            }
        }

        await using (var ws = await WsClient.ConnectAsync(cluster.Servers[leader]!, "/v3/watch?leaderonly=true"))
        {
            await ws.SendAsync($"{{\"create_request\":{{\"key\":\"{TestCluster.B64("w")}\"}}}}");
            Assert.Null(Result(await ws.ReceiveAsync())["canceled"]);
        }
    }

    [Fact]
    public async Task A_create_with_nowaitquorum_on_a_node_without_leader_fails_at_once_with_U1()
    {
        await using var cluster = TestCluster.Create(3, configure: (_, o) => o.WaitQuorumTimeout = 30000);
        await cluster.StartNodeAsync(0);
        await using var ws = await WsClient.ConnectAsync(cluster.Servers[0]!, "/v3/watch?nowaitquorum=1");
        await ws.SendAsync("{\"create_request\":{\"key\":\"dw==\",\"watch_id\":3}}");

        // wait_quorum_timeout is 30 s: an answer within the receive deadline did not wait for it.
        var failed = Result(await ws.ReceiveAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("-1", failed["watch_id"]?.GetValue<string>());
        Assert.Equal(U1, failed["cancel_reason"]?.GetValue<string>());

        // The connection stays open and answers the next message.
        await ws.SendAsync("{\"progress_request\":{}}");
        Assert.Equal("-1", Result(await ws.ReceiveAsync())["watch_id"]?.GetValue<string>());
    }

    [Fact]
    public async Task Leaderonly_keepalive_and_timetolive_on_a_follower_are_U2_and_without_it_they_are_forwarded()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = (leader + 1) % 3;
        var grant = await cluster.PostAsync(leader, "/v3/lease/grant", new JsonObject { ["ID"] = 77, ["TTL"] = 60 });
        Assert.Equal(200, grant.Status);

        foreach (var path in new[] { "/v3/lease/keepalive", "/v3/lease/timetolive" })
        {
            var refused = await cluster.PostAsync(follower, path, new JsonObject { ["ID"] = 77 }, "leaderonly=true");
            Assert.True(refused.Status == 503 && refused.Message == U2, $"{path}: {refused}");
        }

        var keepalive = await cluster.PostAsync(follower, "/v3/lease/keepalive", new JsonObject { ["ID"] = 77 });
        Assert.True(keepalive.Status == 200 && keepalive.Body["result"]?["TTL"]?.GetValue<string>() == "60", keepalive.ToString());

        // The keepalive stream applies the upgrade's flags to each message (SPEC §7.6, §3.5), and an error keeps it open.
        await using (var ws = await WsClient.ConnectAsync(cluster.Servers[follower]!, "/v3/lease/keepalive?leaderonly=1"))
        {
            for (var i = 0; i < 2; i++)
            {
                await ws.SendAsync("{\"ID\":77}");
                Assert.Equal(Etcd.Error(U2, 14), await ws.ReceiveAsync());
            }
        }

        await using (var ws = await WsClient.ConnectAsync(cluster.Servers[follower]!, "/v3/lease/keepalive"))
        {
            await ws.SendAsync("{\"ID\":77}");
            Assert.Equal("60", JsonNode.Parse((await ws.ReceiveAsync())!)!["result"]?["TTL"]?.GetValue<string>());
        }
        var ttl = await cluster.PostAsync(follower, "/v3/lease/timetolive", new JsonObject { ["ID"] = 77 });
        Assert.True(ttl.Status == 200 && ttl.Body["grantedTTL"]?.GetValue<string>() == "60", ttl.ToString());
    }
}
