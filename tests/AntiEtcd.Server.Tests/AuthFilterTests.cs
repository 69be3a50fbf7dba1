using System.Net;
using System.Text;
using static AntiEtcd.Server.Tests.Etcd;

namespace AntiEtcd.Server.Tests;

/// <summary>SPEC §10.6: the auth filter's hooks over HTTP and WebSocket, and loading it with <c>--auth_filter</c>.</summary>
public sealed class AuthFilterTests
{
    private static readonly CancellationToken s_ct = TestContext.Current.CancellationToken;
    private const string Denied = "{\"error\":\"Access denied\",\"message\":\"Access denied\",\"code\":7}";

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(RunningServer node, string path, string body)
    {
        using var response = await node.Http.PostAsync(path, new StringContent(body, Encoding.UTF8), s_ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(s_ct));
    }

    [Fact]
    public async Task Hooks_refuse_rewrite_and_hide()
    {
        var filter = new TestAuthFilter();
        await using var node = await RunningServer.StartAsync(o => o.AuthFilter = filter);
        Assert.Same(node.Server, filter.Server);

        Assert.Equal((HttpStatusCode.Forbidden, Denied), await PostAsync(node, "/v3/kv/put", $"{{\"key\":\"{B64("secret/a")}\"}}"));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(node, "/v3/kv/put", $"{{\"key\":\"{B64("visible")}\"}}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(node, "/v3/kv/put", $"{{\"key\":\"{B64("hidden/1")}\"}}")).Status);
        var all = await PostAsync(node, "/v3/kv/range", "{\"key\":\"AA==\",\"range_end\":\"AA==\"}");
        Assert.Contains(B64("visible"), all.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(B64("hidden/1"), all.Body, StringComparison.Ordinal);

        // A txn is filtered as a whole, and its range responses are filtered too.
        var txn = await PostAsync(node, "/v3/kv/txn", "{\"success\":[{\"request_range\":{\"key\":\"AA==\",\"range_end\":\"AA==\"}}]}");
        Assert.DoesNotContain(B64("hidden/1"), txn.Body, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Forbidden, Denied), await PostAsync(node, "/v3/kv/txn", $"{{\"success\":[{{\"request_delete_range\":{{\"key\":\"{B64("secret/b")}\"}}}}]}}"));

        // A range turned into two ops is not a range any more.
        Assert.Equal((HttpStatusCode.Forbidden, Denied), await PostAsync(node, "/v3/kv/range", $"{{\"key\":\"{B64("wide/x")}\"}}"));
        // A hook that throws refuses the request, and the server keeps serving.
        Assert.Equal((HttpStatusCode.Forbidden, Denied), await PostAsync(node, "/v3/kv/range", $"{{\"key\":\"{B64("boom/x")}\"}}"));

        Assert.Equal((HttpStatusCode.Forbidden, Denied), await PostAsync(node, "/v3/lease/grant", "{\"TTL\":1000}"));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(node, "/v3/lease/grant", "{\"TTL\":10}")).Status);

        // InitContext ran once for the one keep-alive connection of this HttpClient.
        Assert.Equal(1, filter.InitContextCalls);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(node, "/v3/maintenance/status", "{}")).Status);
    }

    [Fact]
    public async Task Watch_messages_pass_through_the_filter()
    {
        await using var node = await RunningServer.StartAsync(o => o.AuthFilter = new TestAuthFilter());
        await using var ws = await WsClient.ConnectAsync(node.Server);
        await ws.SendAsync("{\"create_request\":{\"key\":\"AA==\",\"range_end\":\"AA==\"}}");
        Assert.Contains("\"created\":true", await ws.ReceiveAsync(), StringComparison.Ordinal);
        await node.Server.PutAsync("hidden/2", "x", s_ct);
        await node.Server.PutAsync("shown", "y", s_ct);
        var message = await ws.ReceiveAsync();
        Assert.Contains(B64("shown"), message, StringComparison.Ordinal);
        Assert.DoesNotContain(B64("hidden/2"), message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_process_calls_skip_the_filter_unless_asked()
    {
        await using var node = await RunningServer.StartAsync(o => o.AuthFilter = new TestAuthFilter());
        await node.Server.PutAsync("secret/ok", "in-process", s_ct);
        var error = await Assert.ThrowsAsync<AntiEtcdRequestException>(() =>
            node.Server.ApiAsync("kv_put", new() { ["key"] = B64("secret/no") }, new RequestContext { ApplyAuthFilter = true }, s_ct));
        Assert.Equal((403, 7, "Access denied"), (error.Code, error.GrpcCode, error.Message));
    }

    [Fact]
    public async Task The_filter_is_loaded_from_an_assembly_with_the_options()
    {
        var spec = typeof(TestAuthFilter).Assembly.Location + ":" + typeof(TestAuthFilter).FullName;
        var options = AntiEtcdOptions.Parse(["--port", "0", "--auth_filter", spec, "--my_filter_option", "42"]);
        await using var server = new AntiEtcdServer(options);
        await server.StartAsync(s_ct);
        var error = await Assert.ThrowsAsync<AntiEtcdRequestException>(() =>
            server.ApiAsync("kv_put", new() { ["key"] = B64("secret/c") }, new RequestContext { ApplyAuthFilter = true }, s_ct));
        Assert.Equal(403, error.Code);

        var missing = new AntiEtcdServer(AntiEtcdOptions.Parse(["--port", "0", "--auth_filter", "/nonexistent/filter.dll:X.Y"]));
        var startError = await Assert.ThrowsAsync<ArgumentException>(() => missing.StartAsync(s_ct));
        Assert.Contains("auth_filter", startError.Message, StringComparison.Ordinal);
    }
}
