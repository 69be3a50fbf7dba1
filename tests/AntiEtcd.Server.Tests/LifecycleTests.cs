using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AntiEtcd.Server.Tests;

/// <summary>SPEC §13.3: start, stop, and what callers see around them.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Stop_closes_the_listener_and_later_calls_get_502()
    {
        var node = await RunningServer.StartAsync();
        var port = node.Server.LocalPort;
        await node.Server.PutAsync("k", "v", TestContext.Current.CancellationToken);
        await node.Server.StopAsync(TestContext.Current.CancellationToken);
        Assert.True(node.Server.Completion.IsCompletedSuccessfully);

        var refused = await Assert.ThrowsAnyAsync<SocketException>(async () =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        });
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        var error = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => node.Server.RangeAsync("k", TestContext.Current.CancellationToken));
        Assert.Equal(502, error.Code);
        Assert.Equal("Server is stopping (request not executed, safe to retry)", error.Message);
        await node.DisposeAsync();
    }

    [Fact]
    public async Task A_second_stop_waits_for_the_first()
    {
        var node = await RunningServer.StartAsync();
        var first = node.Server.StopAsync(TestContext.Current.CancellationToken);
        var second = node.Server.StopAsync(TestContext.Current.CancellationToken);
        await Task.WhenAll(first, second);
        Assert.Same(first, second);
        await node.DisposeAsync();
    }

    [Fact]
    public async Task Start_can_be_called_once_and_a_busy_port_fails_cleanly()
    {
        await using var node = await RunningServer.StartAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => node.Server.StartAsync(TestContext.Current.CancellationToken));

        var clash = new AntiEtcdServer(new AntiEtcdOptions { Port = node.Server.LocalPort });
        await Assert.ThrowsAnyAsync<Exception>(() => clash.StartAsync(TestContext.Current.CancellationToken));
        Assert.True(clash.Completion.IsCompleted);
    }

    [Fact]
    public async Task Typed_calls_copy_caller_buffers()
    {
        await using var node = await RunningServer.StartAsync();
        var key = Encoding.UTF8.GetBytes("key");
        var value = Encoding.UTF8.GetBytes("value");
        await node.Server.PutAsync(new AntiEtcd.Api.PutRequest { Key = key, Value = value }, null, TestContext.Current.CancellationToken);
        value[0] = (byte)'X';
        key[0] = (byte)'X';
        var range = await node.Server.RangeAsync("key", TestContext.Current.CancellationToken);
        Assert.Equal("value", Encoding.UTF8.GetString(Assert.Single(range.Kvs).Value.Span));
    }

    [Fact]
    public async Task Raft_state_of_a_one_node_cluster_is_leader_at_once()
    {
        await using var node = await RunningServer.StartAsync(o => o.NodeId = "solo");
        Assert.Equal(RaftRole.Leader, node.Server.RaftState.Role);
        Assert.Equal("solo", node.Server.RaftState.LeaderNodeId);
        var status = await node.Server.StatusAsync(TestContext.Current.CancellationToken);
        Assert.Equal("solo", status.LeaderNodeId);
        Assert.Equal(node.Server.MemberId, status.Leader);
    }

    [Fact]
    public async Task Unknown_api_name_is_404()
    {
        await using var node = await RunningServer.StartAsync();
        var error = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => node.Server.ApiAsync("kv_nope", null, null, TestContext.Current.CancellationToken));
        Assert.Equal(404, error.Code);
        Assert.Equal("Unsupported API", error.Message);
    }
}
