using System.Text.Json.Nodes;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>SPEC §8.3-§8.5 on 3- and 5-node clusters: every write kind through every node, read paths, status, events.</summary>
[Collection("cluster")]
public sealed class ReplicationTests
{
    [Theory]
    [InlineData(3, false)]
    [InlineData(3, true)]
    [InlineData(5, false)]
    [InlineData(5, true)]
    public async Task EveryWriteThroughEveryNodeIsVisibleEverywhereAtTheSameRevision(int size, bool data)
    {
        await using var cluster = await TestCluster.StartAsync(size, data);
        var leader = await cluster.WaitForLeaderAsync();
        for (var i = 0; i < size; i++)
        {
            var reader = NextFollower(cluster, leader, i);

            // Put through node i; a linearizable read through another follower sees it at once (SPEC §8.7 item 2),
            // and a serializable read on node i, which acknowledged it (forwarded or not), sees it too (item 3).
            var revision = await cluster.PutOkAsync(i, $"k/{i}", $"v{i}");
            Assert.Equal($"v{i}", await cluster.GetAsync(reader, $"k/{i}"));
            var local = await cluster.RangeAsync(i, $"k/{i}", serializable: true);
            Assert.True(local.Status == 200 && TestCluster.Text(local.Body["kvs"]?[0]?["value"]) == $"v{i}", $"read-your-writes on {cluster.Names[i]}: {local}");
            Assert.True(local.Revision >= revision, local.ToString());

            // A txn through node i.
            var txn = await cluster.PostAsync(i, "/v3/kv/txn", new JsonObject
            {
                ["compare"] = new JsonArray(new JsonObject { ["key"] = TestCluster.B64($"k/{i}"), ["target"] = "MOD", ["result"] = "GREATER", ["mod_revision"] = "0" }),
                ["success"] = new JsonArray(new JsonObject { ["request_put"] = new JsonObject { ["key"] = TestCluster.B64($"t/{i}"), ["value"] = TestCluster.B64("txn") } }),
            });
            Assert.True(txn.Status == 200 && txn.Body["succeeded"]?.GetValue<bool>() == true, $"txn on {cluster.Names[i]}: {txn}");
            Assert.Equal("txn", await cluster.GetAsync(reader, $"t/{i}"));

            // A lease granted through node i, a key attached through node i, revoked through another node.
            var grant = await cluster.PostAsync(i, "/v3/lease/grant", new JsonObject { ["TTL"] = 60 });
            Assert.True(grant.Status == 200, $"grant on {cluster.Names[i]}: {grant}");
            var leaseId = NodeReply.Number(grant.Body["ID"]);
            Assert.NotEqual(0, leaseId);
            await cluster.PutOkAsync(i, $"l/{i}", "leased", leaseId);
            Assert.Equal("leased", await cluster.GetAsync(reader, $"l/{i}"));
            var revoke = await cluster.PostAsync(reader, "/v3/lease/revoke", new JsonObject { ["ID"] = leaseId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            Assert.True(revoke.Status == 200, $"revoke on {cluster.Names[reader]}: {revoke}");
            Assert.Null(await cluster.GetAsync(i, $"l/{i}"));

            // Deleterange through node i of every other key.
            if (i % 2 == 0)
            {
                var delete = await cluster.PostAsync(i, "/v3/kv/deleterange", new JsonObject { ["key"] = TestCluster.B64($"k/{i}") });
                Assert.True(delete.Status == 200 && NodeReply.Number(delete.Body["deleted"]) == 1, $"deleterange on {cluster.Names[i]}: {delete}");
                Assert.Null(await cluster.GetAsync(reader, $"k/{i}"));
            }
        }

        // Every node converges on the same state at the same revision.
        var last = await cluster.PutOkAsync(leader, "z/last", "1");
        var states = new string[size];
        await Until.TrueAsync(
            async () =>
            {
                for (var i = 0; i < size; i++)
                {
                    var all = await cluster.RangeAsync(i, "\0", "\0", serializable: true);
                    if (all.Status != 200 || all.Revision != last)
                    {
                        states[i] = all.ToString();
                        return false;
                    }

                    states[i] = all.Body["kvs"]!.ToJsonString();
                }

                return true;
            },
            TimeSpan.FromSeconds(10),
            () => "nodes did not reach revision " + last + ": " + string.Join("\n", states));
        for (var i = 1; i < size; i++)
        {
            Assert.Equal(states[0], states[i]);
        }

        await AssertStatusAsync(cluster, leader);
        AssertEvents(cluster, leader);
    }

    private static int NextFollower(TestCluster cluster, int leader, int i)
    {
        var j = (i + 1) % cluster.Size;
        return j == leader ? (j + 1) % cluster.Size : j;
    }

    private static async Task AssertStatusAsync(TestCluster cluster, int leader)
    {
        var leaderServer = cluster.Servers[leader]!;
        var expectedMember = leaderServer.MemberId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var term = NodeReply.Number((await cluster.StatusAsync(leader)).Body["raftTerm"]);
        Assert.True(term > 0);

        // The leader lists every node it heard from within election_timeout: all of them, once heartbeats flowed.
        var expected = new JsonArray(cluster.Names.Order(StringComparer.Ordinal).Select(n => (JsonNode)n).ToArray()).ToJsonString();
        NodeReply? leaderStatus = null;
        await Until.TrueAsync(
            async () =>
            {
                leaderStatus = await cluster.StatusAsync(leader);
                return leaderStatus.Body["followers"]?.ToJsonString() == expected;
            },
            TimeSpan.FromSeconds(5),
            () => "followers on the leader: " + leaderStatus);

        for (var i = 0; i < cluster.Size; i++)
        {
            var status = (await cluster.StatusAsync(i)).Body;
            Assert.Equal(cluster.Names[i], status["nodeId"]?.GetValue<string>());
            Assert.Equal(expectedMember, status["leader"]?.ToString());
            Assert.Equal(cluster.Names[leader], status["leaderNodeId"]?.GetValue<string>());
            Assert.Equal(i == leader ? "leader" : "follower", status["raftState"]?.GetValue<string>());
            Assert.Equal(term, NodeReply.Number(status["raftTerm"]));
            Assert.True(NodeReply.Number(status["raftIndex"]) > 0, status.ToJsonString());
            Assert.True(NodeReply.Number(status["raftAppliedIndex"]) > 0, status.ToJsonString());
            if (i != leader)
            {
                Assert.Null(status["followers"]);
            }

            Assert.Equal(cluster.Size, status["cluster"]?.AsObject().Count);
        }
    }

    private static void AssertEvents(TestCluster cluster, int leader)
    {
        var term = cluster.Servers[leader]!.RaftState.Term;
        var leaderEvents = cluster.Events[leader].ToArray();
        Assert.Contains(leaderEvents, e => e.Role == RaftRole.Leader && e.Term == term && e.LeaderNodeId == cluster.Names[leader]);
        Assert.Equal(RaftRole.Leader, cluster.Servers[leader]!.RaftState.Role);
        for (var i = 0; i < cluster.Size; i++)
        {
            if (i == leader)
            {
                continue;
            }

            Assert.Contains(cluster.Events[i].ToArray(), e => e.Role == RaftRole.Follower && e.Term == term && e.LeaderNodeId == cluster.Names[leader]);
            Assert.Equal(cluster.Names[leader], cluster.Servers[i]!.RaftState.LeaderNodeId);
        }
    }

    [Fact]
    public async Task MetricsReportEveryPeerAndTheRaftCommitIndex()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var revision = await cluster.PutOkAsync(leader, "m", "1");
        var followers = Enumerable.Range(0, 3).Where(i => i != leader).ToArray();
        var (follower, stopped) = (followers[0], followers[1]);

        // SPEC §6.3: one antietcd_peer_connected series per peer, 1 while connected; traffic counters per peer.
        var text = await ScrapeUntilAsync(cluster, leader, t => Metric(t, "antietcd_peer_connected", cluster.Names[follower]) == 1 && Metric(t, "antietcd_peer_connected", cluster.Names[stopped]) == 1);
        Assert.Null(Metric(text, "antietcd_peer_connected", cluster.Names[leader]));
        Assert.True(Metric(text, "antietcd_peer_sent_messages_total", cluster.Names[follower]) > 0, text);
        Assert.True(Metric(text, "antietcd_peer_sent_frames_total", cluster.Names[follower]) > 0, text);
        Assert.True(Metric(text, "antietcd_peer_received_messages_total", cluster.Names[follower]) > 0, text);
        Assert.Contains("# TYPE antietcd_peer_sent_frames_total counter", text, StringComparison.Ordinal);
        Assert.True(Metric(text, "antietcd_raft_commit_index", null) >= revision, text);

        await cluster.StopNodeAsync(stopped);
        await ScrapeUntilAsync(cluster, leader, t => Metric(t, "antietcd_peer_connected", cluster.Names[stopped]) == 0);
    }

    private static async Task<string> ScrapeUntilAsync(TestCluster cluster, int node, Func<string, bool> condition)
    {
        var text = "";
        await Until.TrueAsync(
            async () => condition(text = await cluster.Http[node].GetStringAsync("/metrics", TestContext.Current.CancellationToken)),
            TimeSpan.FromSeconds(10),
            () => "metrics never matched:\n" + text);
        return text;
    }

    /// <summary>The value of one series (<paramref name="peer"/> as its only label, or none), or null when it is absent.</summary>
    private static double? Metric(string text, string name, string? peer)
    {
        var prefix = peer is null ? name + " " : $"{name}{{peer=\"{peer}\"}} ";
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
