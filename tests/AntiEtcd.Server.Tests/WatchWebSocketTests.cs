using System.Net.WebSockets;
using static AntiEtcd.Server.Tests.Etcd;

namespace AntiEtcd.Server.Tests;

/// <summary>SPEC §7 over a real WebSocket, following the exchange of SPEC §15.</summary>
public sealed class WatchWebSocketTests : IAsyncLifetime
{
    private RunningServer? _node;

    private AntiEtcdServer Server => _node!.Server;

    public async ValueTask InitializeAsync() => _node = await RunningServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    private string R(long revision) => H(Server, revision);

    private Task<AntiEtcd.Api.PutResponse> PutAsync(string key, string value) => Server.PutAsync(key, value, TestContext.Current.CancellationToken);

    [Fact]
    public async Task The_SPEC_exchange()
    {
        await using var ws = await WsClient.ConnectAsync(Server);
        await ws.SendAsync("{\"create_request\":{\"key\":\"dw==\",\"range_end\":\"eA==\",\"prev_kv\":true,\"watch_id\":5}}");
        Assert.Equal($"{{\"result\":{{\"header\":{R(1)},\"watch_id\":\"5\",\"created\":true}}}}", await ws.ReceiveAsync());

        await PutAsync("w1", "3");
        Assert.Equal(
            $"{{\"result\":{{\"header\":{R(2)},\"watch_id\":\"5\",\"events\":[{{\"type\":\"PUT\",\"kv\":{{\"key\":\"dzE=\",\"create_revision\":\"2\",\"mod_revision\":\"2\",\"version\":\"1\",\"value\":\"Mw==\"}}}}]}}}}",
            await ws.ReceiveAsync());
        await Server.DeleteRangeAsync(new() { Key = "w1"u8.ToArray() }, null, TestContext.Current.CancellationToken);
        Assert.Equal(
            $"{{\"result\":{{\"header\":{R(3)},\"watch_id\":\"5\",\"events\":[{{\"type\":\"DELETE\",\"kv\":{{\"key\":\"dzE=\",\"mod_revision\":\"3\"}},\"prev_kv\":{{\"key\":\"dzE=\",\"create_revision\":\"2\",\"mod_revision\":\"2\",\"version\":\"1\",\"value\":\"Mw==\"}}}}]}}}}",
            await ws.ReceiveAsync());

        await ws.SendAsync("{\"progress_request\":{}}");
        Assert.Equal($"{{\"result\":{{\"header\":{R(3)},\"watch_id\":\"-1\"}}}}", await ws.ReceiveAsync());

        await PutAsync("a", "1");
        await PutAsync("a", "2");
        await Server.CompactAsync(new() { Revision = 4 }, null, TestContext.Current.CancellationToken);
        await ws.SendAsync("{\"create_request\":{\"key\":\"Zm9v\",\"start_revision\":\"2\"}}");
        Assert.Equal($"{{\"result\":{{\"header\":{R(5)},\"watch_id\":\"0\",\"created\":true}}}}", await ws.ReceiveAsync());
        Assert.Equal(
            $"{{\"result\":{{\"header\":{R(5)},\"watch_id\":\"0\",\"canceled\":true,\"compact_revision\":\"4\",\"cancel_reason\":\"etcdserver: mvcc: required revision has been compacted\"}}}}",
            await ws.ReceiveAsync());

        await ws.SendAsync("{\"create_request\":{\"key\":\"dw==\",\"watch_id\":5}}");
        Assert.Equal(
            $"{{\"result\":{{\"header\":{R(5)},\"watch_id\":\"-1\",\"created\":true,\"canceled\":true,\"cancel_reason\":\"mvcc: duplicate watch ID provided on the WatchStream\"}}}}",
            await ws.ReceiveAsync());
        await ws.SendAsync("{oops");
        Assert.Equal("{\"error\":\"bad-json\"}", await ws.ReceiveAsync());
        await ws.SendAsync("{\"cancel_request\":{\"watch_id\":5}}");
        Assert.Equal($"{{\"result\":{{\"header\":{R(5)},\"watch_id\":\"5\",\"canceled\":true}}}}", await ws.ReceiveAsync());
        await PutAsync("w2", "x");
        Assert.True(await ws.IsQuietAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Replay_from_history_then_live_events_without_gaps()
    {
        await PutAsync("k", "1");
        await PutAsync("k", "2");
        await PutAsync("other", "x");
        await using var ws = await WsClient.ConnectAsync(Server, "/watch");
        await ws.SendAsync("{\"create_request\":{\"key\":\"aw==\",\"start_revision\":2}}");
        Assert.Contains("\"created\":true", await ws.ReceiveAsync(), StringComparison.Ordinal);
        Assert.Contains("\"mod_revision\":\"2\"", await ws.ReceiveAsync(), StringComparison.Ordinal);
        Assert.Contains("\"mod_revision\":\"3\"", await ws.ReceiveAsync(), StringComparison.Ordinal);
        await PutAsync("k", "3");
        Assert.Contains("\"mod_revision\":\"5\"", await ws.ReceiveAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filters_auto_ids_and_create_failures()
    {
        await using var ws = await WsClient.ConnectAsync(Server, "/any/other/path");
        await ws.SendAsync("{\"create_request\":{\"key\":\"aw==\",\"filters\":[\"NOPUT\"]}}");
        Assert.Contains("\"watch_id\":\"0\",\"created\":true", await ws.ReceiveAsync(), StringComparison.Ordinal);
        await ws.SendAsync("{\"create_request\":{\"key\":\"aw==\",\"filters\":[1]}}");
        Assert.Contains("\"watch_id\":\"1\",\"created\":true", await ws.ReceiveAsync(), StringComparison.Ordinal);
        await PutAsync("k", "1");
        var put = await ws.ReceiveAsync();
        Assert.Contains("\"watch_id\":\"1\"", put, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"PUT\"", put, StringComparison.Ordinal);
        await Server.DeleteRangeAsync(new() { Key = "k"u8.ToArray() }, null, TestContext.Current.CancellationToken);
        var delete = await ws.ReceiveAsync();
        Assert.Contains("\"watch_id\":\"0\"", delete, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"DELETE\"", delete, StringComparison.Ordinal);

        foreach (var (request, reason) in new[]
                 {
                     ("{\"create_request\":{\"key\":\"aw==\",\"watch_id\":-3}}", "invalid watch_id"),
                     ("{\"create_request\":{\"key\":\"aw==\",\"start_revision\":-1}}", "invalid start_revision"),
                     ("{\"create_request\":{\"key\":\"eg==\",\"range_end\":\"YQ==\"}}", "mvcc: watcher range is empty"),
                     ("{\"create_request\":{\"key\":\"Zm9vMQ\"}}", "illegal base64 data at input byte 4"),
                     ("{\"create_request\":{\"key\":\"aw==\",\"watch_id\":\"A\"}}", "invalid value for field \\\"create_request.watch_id\\\": expected integer"),
                 })
        {
            await ws.SendAsync(request);
            Assert.Equal($"{{\"result\":{{\"header\":{R(3)},\"watch_id\":\"-1\",\"created\":true,\"canceled\":true,\"cancel_reason\":\"{reason}\"}}}}", await ws.ReceiveAsync());
        }

        await ws.SendAsync("null");
        Assert.Equal("{\"error\":\"empty-message\"}", await ws.ReceiveAsync());
        await ws.SendAsync("[1]");
        Assert.Equal("{\"error\":\"bad-json\"}", await ws.ReceiveAsync());
        await ws.SendAsync("{\"cancel_request\":{\"watch_id\":77}}");
        await ws.SendAsync("{\"something_else\":{}}");
        Assert.True(await ws.IsQuietAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Too_many_watches_on_one_connection()
    {
        await using var node = await RunningServer.StartAsync(o => o.MaxWatchesPerConnection = 2);
        await using var ws = await WsClient.ConnectAsync(node.Server);
        for (var i = 0; i < 2; i++)
        {
            await ws.SendAsync("{\"create_request\":{\"key\":\"aw==\"}}");
            Assert.Contains("\"created\":true", await ws.ReceiveAsync(), StringComparison.Ordinal);
        }

        await ws.SendAsync("{\"create_request\":{\"key\":\"aw==\"}}");
        Assert.Contains("\"cancel_reason\":\"too many watches on this connection\"", await ws.ReceiveAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_message_closes_with_1009()
    {
        await using var node = await RunningServer.StartAsync(o => o.MaxRequestBytes = 1000);
        await using var ws = await WsClient.ConnectAsync(node.Server);
        await ws.SendAsync("{\"create_request\":{\"key\":\"" + new string('A', 2000) + "\"}}");
        Assert.Null(await ws.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);
    }

    [Theory]
    [InlineData("/v3/watch")]
    [InlineData("/v3/lease/keepalive")]
    public async Task A_message_of_exactly_max_request_bytes_is_read_whole_and_one_more_byte_closes_with_1009(string path)
    {
        // Larger than the first receive buffer (16 KiB), so the message is assembled across buffer growth.
        const int limit = 50_000;
        await using var node = await RunningServer.StartAsync(o => o.MaxRequestBytes = limit);
        static string Padded(string prefix, int length) => prefix + new string('x', length - prefix.Length - 2) + "\"}";
        var keepalive = path.EndsWith("keepalive", StringComparison.Ordinal);
        var prefix = keepalive ? "{\"ID\":\"7\",\"pad\":\"" : "{\"create_request\":{\"key\":\"Zm9v\"},\"pad\":\"";

        await using (var ws = await WsClient.ConnectAsync(node.Server, path))
        {
            var message = Padded(prefix, limit);
            Assert.Equal(limit, System.Text.Encoding.UTF8.GetByteCount(message));
            await ws.SendAsync(message);
            var expected = keepalive
                ? $"{{\"result\":{{\"header\":{H(node.Server, 1)},\"ID\":\"7\"}}}}"
                : $"{{\"result\":{{\"header\":{H(node.Server, 1)},\"watch_id\":\"0\",\"created\":true}}}}";
            Assert.Equal(expected, await ws.ReceiveAsync());
        }

        await using (var ws = await WsClient.ConnectAsync(node.Server, path))
        {
            await ws.SendAsync(Padded(prefix, limit + 1));
            Assert.Null(await ws.ReceiveAsync());
            Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);
        }
    }

    [Fact]
    public async Task A_client_that_does_not_read_is_closed_with_1013_and_writes_go_on()
    {
        await using var ws = await WsClient.ConnectAsync(Server);
        await ws.SendAsync("{\"create_request\":{\"key\":\"Ymln\"}}");
        Assert.Contains("\"created\":true", await ws.ReceiveAsync(), StringComparison.Ordinal);
        var value = Convert.ToBase64String(new byte[1_500_000]);
        for (var i = 0; i < 60; i++)
        {
            var reply = await Server.ApiAsync("kv_put", new() { ["key"] = "Ymln", ["value"] = value }, null, TestContext.Current.CancellationToken);
            Assert.NotNull(reply["header"]);
        }

        string? message;
        do
        {
            message = await ws.ReceiveAsync(TimeSpan.FromSeconds(30));
        }
        while (message is not null);

        Assert.Equal((WebSocketCloseStatus)1013, ws.CloseStatus);
        Assert.Equal("watch stream too slow", ws.CloseDescription);
    }

    [Fact]
    public async Task Keepalive_stream_answers_each_message()
    {
        await Server.LeaseGrantAsync(new() { Id = 42, Ttl = 30 }, null, TestContext.Current.CancellationToken);
        await using var ws = await WsClient.ConnectAsync(Server, "/v3/lease/keepalive");
        await ws.SendAsync("{\"ID\":\"42\"}");
        Assert.Equal($"{{\"result\":{{\"header\":{R(1)},\"ID\":\"42\",\"TTL\":\"30\"}}}}", await ws.ReceiveAsync());
        await ws.SendAsync("{bad");
        Assert.Equal(Error("body should be valid JSON", 3), await ws.ReceiveAsync());
        await ws.SendAsync("{\"ID\":-5}");
        Assert.Equal($"{{\"result\":{{\"header\":{R(1)},\"ID\":\"-5\"}}}}", await ws.ReceiveAsync());
    }

    [Fact]
    public async Task Upgrades_on_other_routes_are_refused_and_stop_closes_with_1001()
    {
        foreach (var (path, status) in new[] { ("/v3/kv/range", 405), ("/health", 405), ("/version", 405) })
        {
            using var socket = new ClientWebSocket();
            var error = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Server.LocalPort}{path}"), TestContext.Current.CancellationToken));
            Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        }

        await using var ws = await WsClient.ConnectAsync(Server);
        await ws.SendAsync("{\"create_request\":{\"key\":\"aw==\"}}");
        Assert.Contains("\"created\":true", await ws.ReceiveAsync(), StringComparison.Ordinal);
        var stop = Server.StopAsync(TestContext.Current.CancellationToken);
        Assert.Null(await ws.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, ws.CloseStatus);
        await stop;
    }
}
