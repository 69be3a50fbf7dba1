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

    /// <summary>
    /// Jepsen lease/pause seed 302: a leader stopped by SIGSTOP, deposed meanwhile and resumed still believes it leads
    /// for a few milliseconds. A keepalive waiting in its socket is served then: renewed from its own deadlines, and
    /// confirmed by a read index that, once it stepped down, the new leader's quorum answered. The client was promised
    /// a full TTL that the new leader, which never saw the keepalive, did not grant: it expired the lease early.
    /// </summary>
    [Fact]
    public async Task KeepAliveServedByAResumedDeposedLeaderIsHonouredByTheNewLeader()
    {
        var clocks = Enumerable.Range(0, 3).Select(_ => new PausableClock()).ToArray();
        await using var cluster = await TestCluster.StartAsync(3, proxies: true, clock: i => clocks[i]);
        var old = await cluster.WaitForLeaderAsync();
        var grant = await cluster.PostAsync(old, "/v3/lease/grant", new JsonObject { ["TTL"] = 5 });
        Assert.True(grant.Status == 200, grant.ToString());
        var id = NodeReply.Number(grant.Body["ID"]);
        await cluster.PutOkAsync(old, "leased", "1", id);

        // "SIGSTOP": no ticks, and its peer connections stay open but silent. The others elect a new leader, which
        // refreshes the lease to a full TTL (SPEC §8.6).
        clocks[old].PauseTicks();
        cluster.Hold(old);
        var others = cluster.Running.Where(i => i != old).ToArray();
        var next = await cluster.WaitForLeaderAsync(others, TimeSpan.FromSeconds(10), except: cluster.Names[old]);

        // Until the new leader's deadline has run down by 2 s, so that a keepalive's promise reaches past it.
        await Until.TrueAsync(async () => await TimeToLiveAsync(cluster, next, id) <= 2, TimeSpan.FromSeconds(10), () => "the new leader's TTL did not run down");

        // The keepalive reaches the stopped leader (its HTTP side still runs, as the kernel still accepts): it renews
        // its own deadline and asks for a read index, which waits for the peers.
        var server = cluster.Servers[old]!;
        var batches = server.ReadIndexBatches;
        var sent = Stopwatch.StartNew();
        var keepAlive = cluster.PostAsync(old, "/v3/lease/keepalive", new JsonObject { ["ID"] = id.ToString(CultureInfo.InvariantCulture) });
        await Until.TrueAsync(() => server.ReadIndexBatches > batches, TimeSpan.FromSeconds(5), () => "the keepalive did not reach the stopped leader's read index");

        // "SIGCONT": the newer term arrives, it steps down, and its pending read goes to the new leader.
        cluster.Release(old);
        clocks[old].ResumeTicks();
        var reply = await keepAlive;
        Assert.True(reply.Status == 200, reply.ToString());
        var ttl = NodeReply.Number(reply.Body["result"]?["TTL"]);
        Assert.True(ttl > 0, $"the lease expired although the new leader's deadline had not passed: {reply}");

        // Acknowledged with TTL ttl, the lease lives until at least sent + ttl on whoever leads: so the leader's
        // remaining TTL now is at least that, rounded down as the server rounds it.
        var left = await TimeToLiveAsync(cluster, next, id);
        var promised = (long)Math.Floor(ttl - sent.Elapsed.TotalSeconds);
        Assert.True(left >= promised, $"keepalive acknowledged with TTL {ttl} {sent.Elapsed.TotalSeconds:0.00} s ago, but the leader gives the lease {left} s");
    }

    private static async Task<long> TimeToLiveAsync(TestCluster cluster, int node, long id)
    {
        var reply = await cluster.PostAsync(node, "/v3/lease/timetolive", new JsonObject { ["ID"] = id.ToString(CultureInfo.InvariantCulture) });
        Assert.True(reply.Status == 200, reply.ToString());
        return NodeReply.Number(reply.Body["TTL"]);
    }
}
