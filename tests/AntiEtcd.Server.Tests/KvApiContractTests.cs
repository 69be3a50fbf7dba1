using static AntiEtcd.Server.Tests.Etcd;

namespace AntiEtcd.Server.Tests;

/// <summary>
/// The KV API contract (SPEC §4, §15), run once through HTTP and once through the embedded
/// <c>ApiAsync</c>: both must give the same status and the same bytes.
/// </summary>
public abstract class KvApiContractTests : IAsyncLifetime
{
    private RunningServer? _node;

    protected RunningServer Node => _node ?? throw new InvalidOperationException("not started");

    protected AntiEtcdServer Server => Node.Server;

    public async ValueTask InitializeAsync() => _node = await RunningServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Calls an API route (e.g. <c>/v3/kv/put</c>) with a JSON body.</summary>
    protected abstract Task<ApiReply> CallAsync(string route, string body);

    private async Task<string> OkAsync(string route, string body)
    {
        var reply = await CallAsync(route, body);
        Assert.True(reply.Status == 200, $"{route} {body} -> {reply.Status} {reply.Body}");
        return reply.Body;
    }

    private async Task ExpectErrorAsync(string route, string body, int status, string message, int code)
    {
        var reply = await CallAsync(route, body);
        Assert.Equal(status, reply.Status);
        Assert.Equal(Error(message, code), reply.Body);
    }

    [Fact]
    public async Task Put_then_range_round_trips_binary_value()
    {
        Assert.Equal($"{{\"header\":{H(Server, 2)}}}", await OkAsync("/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"/wBB\",\"prev_kv\":true}"));
        Assert.Equal(
            $"{{\"header\":{H(Server, 2)},\"kvs\":[{{\"key\":\"Zm9v\",\"create_revision\":\"2\",\"mod_revision\":\"2\",\"version\":\"1\",\"value\":\"/wBB\"}}],\"count\":\"1\"}}",
            await OkAsync("/v3/kv/range", "{\"key\":\"Zm9v\"}"));
    }

    [Fact]
    public async Task Base64_with_plus_and_slash_is_written_unescaped()
    {
        // 0xFB 0xEF 0xFF encodes as "++//": a JSON writer with the default encoder would write \u002B.
        await OkAsync("/v3/kv/put", "{\"key\":\"++//\",\"value\":\"+/+/\"}");
        Assert.Contains("\"key\":\"++//\"", await OkAsync("/v3/kv/range", "{\"key\":\"++//\"}"), StringComparison.Ordinal);
        Assert.Contains("\"value\":\"+/+/\"", await OkAsync("/v3/kv/range", "{\"key\":\"++//\"}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Range_of_every_key_with_limit_and_keys_only()
    {
        await OkAsync("/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"/wBB\"}");
        await OkAsync("/v3/kv/put", "{\"key\":\"Zm9w\",\"value\":\"MQ==\"}");
        Assert.Equal(
            $"{{\"header\":{H(Server, 3)},\"kvs\":[{{\"key\":\"Zm9v\",\"create_revision\":\"2\",\"mod_revision\":\"2\",\"version\":\"1\"}}],\"more\":true,\"count\":\"2\"}}",
            await OkAsync("/v3/kv/range", "{\"key\":\"AA==\",\"range_end\":\"AA==\",\"limit\":1,\"keys_only\":true}"));
    }

    [Fact]
    public async Task Txn_create_if_absent_succeeds_once()
    {
        const string txn = "{\"compare\":[{\"key\":\"bmV3\",\"version\":\"0\"}],\"success\":[{\"requestPut\":{\"key\":\"bmV3\",\"value\":\"MQ==\"}}],\"failure\":[{\"request_range\":{\"key\":\"bmV3\"}}]}";
        Assert.Equal(
            $"{{\"header\":{H(Server, 2)},\"succeeded\":true,\"responses\":[{{\"response_put\":{{\"header\":{{\"revision\":\"2\"}}}}}}]}}",
            await OkAsync("/v3/kv/txn", txn));
        Assert.Equal(
            $"{{\"header\":{H(Server, 2)},\"responses\":[{{\"response_range\":{{\"header\":{{\"revision\":\"2\"}},\"kvs\":[{{\"key\":\"bmV3\",\"create_revision\":\"2\",\"mod_revision\":\"2\",\"version\":\"1\",\"value\":\"MQ==\"}}],\"count\":\"1\"}}}}]}}",
            await OkAsync("/v3/kv/txn", txn));
    }

    [Fact]
    public async Task Deleterange_of_missing_key_changes_nothing()
    {
        Assert.Equal($"{{\"header\":{H(Server, 1)}}}", await OkAsync("/v3/kv/deleterange", "{\"key\":\"bm9wZQ==\"}"));
    }

    [Fact]
    public async Task Deleterange_prefix_with_prev_kv()
    {
        await OkAsync("/v3/kv/put", $"{{\"key\":\"{B64("a/1")}\",\"value\":\"{B64("x")}\"}}");
        await OkAsync("/v3/kv/put", $"{{\"key\":\"{B64("a/2")}\",\"value\":\"{B64("y")}\"}}");
        await OkAsync("/v3/kv/put", $"{{\"key\":\"{B64("b")}\"}}");
        var body = await OkAsync("/v3/kv/deleterange", $"{{\"key\":\"{B64("a/")}\",\"range_end\":\"{B64("a0")}\",\"prev_kv\":true}}");
        Assert.Equal(
            $"{{\"header\":{H(Server, 5)},\"deleted\":\"2\",\"prev_kvs\":[" +
            $"{{\"key\":\"{B64("a/1")}\",\"create_revision\":\"2\",\"mod_revision\":\"2\",\"version\":\"1\",\"value\":\"{B64("x")}\"}}," +
            $"{{\"key\":\"{B64("a/2")}\",\"create_revision\":\"3\",\"mod_revision\":\"3\",\"version\":\"1\",\"value\":\"{B64("y")}\"}}]}}",
            body);
    }

    [Fact]
    public async Task Put_of_identical_value_takes_a_new_revision()
    {
        await OkAsync("/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}");
        await OkAsync("/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}");
        Assert.Contains("\"mod_revision\":\"3\",\"version\":\"2\"", await OkAsync("/v3/kv/range", "{\"key\":\"Zm9v\"}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Range_at_old_revision_and_compaction()
    {
        await OkAsync("/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"MQ==\"}");
        await OkAsync("/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"Mg==\"}");
        Assert.Contains("\"value\":\"MQ==\"", await OkAsync("/v3/kv/range", "{\"key\":\"Zm9v\",\"revision\":\"2\"}"), StringComparison.Ordinal);
        Assert.Equal($"{{\"header\":{H(Server, 3)}}}", await OkAsync("/v3/kv/compaction", "{\"revision\":\"3\"}"));
        await ExpectErrorAsync("/v3/kv/range", "{\"key\":\"Zm9v\",\"revision\":\"2\"}", 400, "etcdserver: mvcc: required revision has been compacted", 11);
        await ExpectErrorAsync("/v3/kv/range", "{\"key\":\"Zm9v\",\"revision\":\"9\"}", 400, "etcdserver: mvcc: required revision is a future revision", 11);
        await ExpectErrorAsync("/v3/kv/compaction", "{\"revision\":\"3\"}", 400, "etcdserver: mvcc: required revision has been compacted", 11);
        Assert.Contains("\"value\":\"Mg==\"", await OkAsync("/v3/kv/range", "{\"key\":\"Zm9v\",\"revision\":\"3\"}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_of_SPEC_examples()
    {
        await ExpectErrorAsync("/v3/kv/put", "{\"key\":\"Zm9vMQ\",\"value\":\"MQ\"}", 400, "illegal base64 data at input byte 4", 3);
        await ExpectErrorAsync(
            "/v3/kv/txn",
            "{\"success\":[{\"request_put\":{\"key\":\"ZHVw\",\"value\":\"MQ==\"}},{\"request_delete_range\":{\"key\":\"ZHVw\"}}]}",
            400,
            "etcdserver: duplicate key given in txn request",
            3);
        await ExpectErrorAsync("/v3/kv/put", "{\"value\":\"MQ==\"}", 400, "etcdserver: key is not provided", 3);
        await ExpectErrorAsync("/v3/kv/put", "{\"key\":\"Zm9v\",\"lease\":\"12345\"}", 404, "etcdserver: requested lease not found", 5);
        await ExpectErrorAsync("/v3/kv/put", "{\"key\":\"Zm9v\",\"ignore_value\":true}", 400, "etcdserver: key not found", 3);
        await ExpectErrorAsync("/v3/kv/range", "{\"key\":\"Zm9v\",\"sort_order\":7}", 400, "etcdserver: invalid sort option", 3);
        await ExpectErrorAsync("/v3/kv/range", "[1]", 400, "body should be JSON object", 3);
        await ExpectErrorAsync("/v3/kv/range", "{\"key\":", 400, "body should be valid JSON", 3);
        await ExpectErrorAsync("/v3/kv/range", "{\"key\":\"Zm9v\",\"limit\":1.5}", 400, "invalid value for field \\\"limit\\\": expected integer", 3);
    }

    [Fact]
    public async Task A_failed_write_takes_no_revision()
    {
        await CallAsync("/v3/kv/put", "{\"key\":\"Zm9v\",\"lease\":\"5\"}");
        await CallAsync("/v3/kv/txn", "{\"success\":[{\"request_put\":{\"key\":\"YQ==\"}},{\"request_put\":{\"key\":\"Yg==\",\"lease\":\"9\"}}]}");
        Assert.Equal($"{{\"header\":{H(Server, 1)}}}", await OkAsync("/v3/kv/range", "{\"key\":\"YQ==\"}"));
    }

    [Fact]
    public async Task Empty_body_is_an_empty_object()
    {
        await ExpectErrorAsync("/v3/kv/range", "", 400, "etcdserver: key is not provided", 3);
        Assert.Equal($"{{\"header\":{H(Server, 1)},\"succeeded\":true}}", await OkAsync("/v3/kv/txn", "  "));
    }

    [Fact]
    public async Task Leases_grant_attach_revoke()
    {
        Assert.Equal($"{{\"header\":{H(Server, 1)},\"ID\":\"1000\",\"TTL\":\"2\"}}", await OkAsync("/v3/lease/grant", "{\"TTL\":1,\"ID\":1000}"));
        await ExpectErrorAsync("/v3/lease/grant", "{\"TTL\":5,\"ID\":1000}", 400, "etcdserver: lease already exists", 9);
        await OkAsync("/v3/kv/put", "{\"key\":\"Zm9v\",\"lease\":\"1000\"}");
        Assert.Contains("\"lease\":\"1000\"", await OkAsync("/v3/kv/range", "{\"key\":\"Zm9v\"}"), StringComparison.Ordinal);
        Assert.Equal($"{{\"header\":{H(Server, 2)},\"leases\":[{{\"ID\":\"1000\"}}]}}", await OkAsync("/v3/lease/leases", "{}"));
        Assert.Equal($"{{\"header\":{H(Server, 3)}}}", await OkAsync("/v3/kv/lease/revoke", "{\"ID\":\"1000\"}"));
        Assert.Equal($"{{\"header\":{H(Server, 3)}}}", await OkAsync("/v3/kv/range", "{\"key\":\"Zm9v\"}"));
        await ExpectErrorAsync("/v3/lease/revoke", "{\"ID\":\"424242\"}", 404, "etcdserver: requested lease not found", 5);
        Assert.Equal($"{{\"result\":{{\"header\":{H(Server, 3)},\"ID\":\"424242\"}}}}", await OkAsync("/v3/lease/keepalive", "{\"ID\":\"424242\"}"));
        Assert.Equal($"{{\"header\":{H(Server, 3)},\"ID\":\"424242\",\"TTL\":\"-1\"}}", await OkAsync("/v3/lease/timetolive", "{\"ID\":\"424242\"}"));
    }

    [Fact]
    public async Task Status_reports_this_node()
    {
        var body = await OkAsync("/v3/maintenance/status", "{}");
        Assert.StartsWith($"{{\"header\":{H(Server, 1)},\"version\":\"antietcd-dotnet ", body, StringComparison.Ordinal);
        Assert.Contains($"\"leader\":\"{Server.MemberId}\"", body, StringComparison.Ordinal);
        Assert.Contains("\"nodeId\":\"default\"", body, StringComparison.Ordinal);
        Assert.Contains("\"raftState\":\"leader\"", body, StringComparison.Ordinal);
    }
}
