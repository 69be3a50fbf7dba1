using static AntiEtcd.Server.Tests.ClusterNode.Unavailable;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>SPEC §3.5, §8.4 rule 1-2: <c>leaderonly</c> and <c>nowaitquorum</c> answer at once.</summary>
[Collection("cluster")]
public sealed class FlagTests
{
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task LeaderOnlyOnAFollowerIsU2AtOnce()
    {
        // wait_quorum_timeout stays at its 30 s default: an answer within a few seconds was not a wait.
        await using var cluster = await TestCluster.StartAsync(3, configure: (_, o) => o.WaitQuorumTimeout = 30000);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = (leader + 1) % 3;

        var put = await AtOnceAsync(cluster.PutAsync(follower, "k", "v", query: "leaderonly=true"));
        Assert.True(put.Status == 503 && put.Message == U2, put.ToString());
        var read = await AtOnceAsync(cluster.RangeAsync(follower, "k", query: "leaderonly=1"));
        Assert.True(read.Status == 503 && read.Message == U2, read.ToString());
        var serializable = await AtOnceAsync(cluster.RangeAsync(follower, "k", serializable: true, query: "leaderonly=yes"));
        Assert.True(serializable.Status == 503 && serializable.Message == U2, serializable.ToString());

        // Nothing was forwarded; the leader itself accepts the flag.
        Assert.Null(await cluster.GetAsync(leader, "k"));
        var onLeader = await cluster.PutAsync(leader, "k", "v", query: "leaderonly=true");
        Assert.Equal(200, onLeader.Status);
    }

    [Fact]
    public async Task NoWaitQuorumOnANodeWithoutLeaderIsU1AtOnce()
    {
        await using var cluster = TestCluster.Create(3, configure: (_, o) => o.WaitQuorumTimeout = 30000);
        await cluster.StartNodeAsync(0);

        var put = await AtOnceAsync(cluster.PutAsync(0, "k", "v", query: "nowaitquorum=true"));
        Assert.True(put.Status == 503 && put.Message == U1, put.ToString());
        var read = await AtOnceAsync(cluster.RangeAsync(0, "k", query: "nowaitquorum=true"));
        Assert.True(read.Status == 503 && read.Message == U1, read.ToString());
        var serializable = await AtOnceAsync(cluster.RangeAsync(0, "k", serializable: true, query: "nowaitquorum=on"));
        Assert.True(serializable.Status == 503 && serializable.Message == U1, serializable.ToString());
        var grant = await AtOnceAsync(cluster.PostAsync(0, "/v3/lease/grant", new System.Text.Json.Nodes.JsonObject { ["TTL"] = 5 }, "nowaitquorum=true"));
        Assert.True(grant.Status == 503 && grant.Message == U1, grant.ToString());
    }

    private static async Task<NodeReply> AtOnceAsync(Task<NodeReply> request)
    {
        var finished = await Task.WhenAny(request, Task.Delay(AtOnce, TestContext.Current.CancellationToken));
        Assert.True(finished == request, $"no answer within {AtOnce.TotalSeconds} s: the flag did not make the node answer at once");
        return await request;
    }
}
