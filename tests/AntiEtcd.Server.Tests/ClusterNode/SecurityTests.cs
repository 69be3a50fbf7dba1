using System.Buffers;
using System.Net.WebSockets;
using AntiEtcd.Api;
using AntiEtcd.Server.Cluster;
using AntiEtcd.Server.Node;
using AntiEtcd.Server.Tests.Cluster;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>SPEC §10.3 on a running cluster: a wrong key never joins; nothing is accepted before authentication.</summary>
[Collection("cluster")]
public sealed class SecurityTests
{
    [Fact]
    public async Task NodeWithAWrongClusterKeyNeverJoins()
    {
        await using var cluster = await TestCluster.StartAsync(3, configure: (i, o) =>
        {
            if (i == 2)
            {
                o.ClusterKey = "a-different-key-0123456789";
            }
        });
        var leader = await cluster.WaitForLeaderAsync([0, 1]);
        await cluster.PutOkAsync(leader, "k", "v");

        await Until.TrueAsync(
            () => cluster.Servers[2]!.Transport!.HandshakeFailures > 0 && cluster.Servers[leader]!.Transport!.HandshakeFailures > 0,
            TimeSpan.FromSeconds(5),
            () => $"handshake failures: n3 {cluster.Servers[2]!.Transport!.HandshakeFailures}, leader {cluster.Servers[leader]!.Transport!.HandshakeFailures}");

        var status = (await cluster.StatusAsync(2)).Body;
        Assert.Null(status["leaderNodeId"]);
        Assert.NotEqual("leader", status["raftState"]?.GetValue<string>());
        var write = await cluster.PutAsync(2, "intruder", "x", query: "nowaitquorum=true");
        Assert.Equal(503, write.Status);
        Assert.True(write.Message is "etcdserver: no leader (request not executed, safe to retry)" or "etcdserver: leader unreachable (request not executed, safe to retry)", write.ToString());
        Assert.Null(await cluster.GetAsync(leader, "intruder"));
        var leaderStatus = (await cluster.StatusAsync(leader)).Body;
        Assert.DoesNotContain("n3", leaderStatus["followers"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task ForgedForwardRequestBeforeAuthenticationIsClosedWith1008AndNothingIsWritten()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var ct = TestContext.Current.CancellationToken;

        var command = new ArrayBufferWriter<byte>();
        CommandCodec.Encode(new Command { Type = CommandType.Put, Put = new PutRequest { Key = "forged"u8.ToArray(), Value = "x"u8.ToArray() } }, command);
        var frame = ForwardCodec.Encode(new ForwardRequest(1, 5000, ForwardKind.Command, command.WrittenMemory.ToArray(), 0, false));

        await using (var peer = await RawPeerClient.ConnectAsync(cluster.Ports[leader], ct))
        {
            await peer.SendBinaryAsync(frame, ct);
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await peer.WaitForCloseAsync(ct));
        }

        // The same against a follower, which would forward it.
        var follower = (leader + 1) % 3;
        await using (var peer = await RawPeerClient.ConnectAsync(cluster.Ports[follower], ct))
        {
            await peer.SendBinaryAsync(frame, ct);
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await peer.WaitForCloseAsync(ct));
        }

        // A later acknowledged write is a barrier: linearizable reads after it see every earlier commit.
        await cluster.PutOkAsync(leader, "barrier", "1");
        foreach (var i in cluster.Running)
        {
            Assert.Null(await cluster.GetAsync(i, "forged"));
            Assert.Null(await cluster.GetAsync(i, "forged", serializable: true));
        }
    }
}
