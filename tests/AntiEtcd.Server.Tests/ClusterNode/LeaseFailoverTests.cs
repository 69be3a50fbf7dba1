using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>SPEC §8.6: a kept-alive lease survives a failover; once keepalives stop, the new leader expires it.</summary>
[Collection("cluster")]
public sealed class LeaseFailoverTests
{
    [Fact]
    public async Task KeptAliveLeaseSurvivesFailoverThenExpiresOnTheNewLeader()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var client = (leader + 1) % 3;
        var grant = await cluster.PostAsync(client, "/v3/lease/grant", new JsonObject { ["TTL"] = 3 });
        Assert.True(grant.Status == 200, grant.ToString());
        var id = NodeReply.Number(grant.Body["ID"]).ToString(CultureInfo.InvariantCulture);
        await cluster.PutOkAsync(client, "leased", "1", long.Parse(id, CultureInfo.InvariantCulture));

        var clock = Stopwatch.StartNew();
        var lastKeptAlive = TimeSpan.Zero;
        using var stop = new CancellationTokenSource();
        var keepAlive = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var reply = await cluster.PostAsync(client, "/v3/lease/keepalive", new JsonObject { ["ID"] = id });
                if (reply.Status == 200)
                {
                    Assert.True(NodeReply.Number(reply.Body["result"]?["TTL"]) > 0, $"keepalive answered an expired lease: {reply}");
                    lastKeptAlive = clock.Elapsed;
                }

                // The keepalive cadence of a client, not a wait for state.
                await Task.Delay(300, CancellationToken.None);
            }
        }, CancellationToken.None);

        await cluster.StopNodeAsync(leader);
        var survivors = cluster.Running.ToArray();
        var next = await cluster.WaitForLeaderAsync(survivors, TimeSpan.FromSeconds(10), except: cluster.Names[leader]);

        // Keep it alive through the new leader for longer than its TTL.
        var target = clock.Elapsed + TimeSpan.FromSeconds(4);
        await Until.TrueAsync(() => clock.Elapsed > target && lastKeptAlive > target - TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), () => "keepalives through the new leader failed");
        foreach (var i in survivors)
        {
            Assert.Equal("1", await cluster.GetAsync(i, "leased"));
        }

        await stop.CancelAsync();
        await keepAlive;
        var stoppedAt = lastKeptAlive;

        // Expired by the new leader within TTL + a margin of the last keepalive, and deleted everywhere.
        await Until.TrueAsync(
            async () =>
            {
                foreach (var i in survivors)
                {
                    if (await cluster.GetAsync(i, "leased", serializable: true) is not null)
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(3 + 3),
            () => "the leased key was not deleted on every node");
        var expiredAfter = clock.Elapsed - stoppedAt;
        Assert.True(expiredAfter > TimeSpan.FromSeconds(2), $"expired {expiredAfter.TotalSeconds:0.0} s after the last keepalive, before its TTL of 3 s");
        var ttl = await cluster.PostAsync(next, "/v3/lease/timetolive", new JsonObject { ["ID"] = id });
        Assert.True(ttl.Status == 200 && NodeReply.Number(ttl.Body["TTL"]) == -1, ttl.ToString());
    }
}
