using System.Net;
using System.Net.Sockets;
using System.Text;
using static AntiEtcd.Server.Tests.Etcd;

namespace AntiEtcd.Server.Tests.BadInput;

/// <summary>
/// Requests broken at the HTTP level. They may be answered by the HTTP stack (400, 431) or cut,
/// but never with 500, and the node keeps serving (SPEC §3.6: 500 must not happen for any input).
/// </summary>
public sealed class RawSocketTests(BadInputNode node) : IClassFixture<BadInputNode>
{
    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    [Theory]
    [InlineData("garbage request line", "GARBAGE\r\n\r\n")]
    [InlineData("binary request line", "\u0001\u0002\u0003\u00ff\r\n\r\n")]
    [InlineData("missing HTTP version", "POST /v3/kv/range\r\n\r\n")]
    [InlineData("unknown HTTP version", "POST /v3/kv/range HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n")]
    [InlineData("header without colon", "POST /v3/kv/range HTTP/1.1\r\nHost: 127.0.0.1\r\nNoColonHere\r\n\r\n")]
    [InlineData("bad Content-Length", "POST /v3/kv/range HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n")]
    [InlineData("two Content-Lengths", "POST /v3/kv/range HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}")]
    [InlineData("bad chunk size", "POST /v3/kv/range HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n")]
    [InlineData("chunked body cut", "POST /v3/kv/range HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"key\"")]
    [InlineData("closes mid-body", "POST /v3/kv/put HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{\"key\":\"Zm9v\",")]
    [InlineData("closes mid-headers", "POST /v3/kv/put HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")]
    public async Task Broken_HTTP_is_never_a_500_and_the_node_survives(string name, string request)
    {
        var (status, text) = await RawHttp.ExchangeAsync(node.Port, Encoding.Latin1.GetBytes(request), closeAfterSend: true, TestContext.Current.CancellationToken);
        Assert.True(status != 500 && !text.Contains("\"code\":13", StringComparison.Ordinal), $"{name}: {text}");
        await node.AssertStillServesAsync(name);
    }

    [Fact]
    public async Task Oversized_header_block_is_refused_and_the_node_survives()
    {
        var request = Ascii("POST /v3/kv/range HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + new string('a', 100_000) + "\r\nContent-Length: 2\r\n\r\n{}");
        var (status, text) = await RawHttp.ExchangeAsync(node.Port, request, closeAfterSend: false, TestContext.Current.CancellationToken);
        Assert.True(status is 0 or 400 or 413 or 431, text.Length > 300 ? text[..300] : text);
        await node.AssertStillServesAsync("oversized header block");
    }

    [Fact]
    public async Task Many_headers_are_refused_and_the_node_survives()
    {
        var headers = new StringBuilder();
        for (var i = 0; i < 5000; i++)
        {
            headers.Append("X-H").Append(i).Append(": v\r\n");
        }

        var request = Ascii("POST /v3/kv/range HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "Content-Length: 2\r\n\r\n{}");
        var (status, text) = await RawHttp.ExchangeAsync(node.Port, request, closeAfterSend: false, TestContext.Current.CancellationToken);
        Assert.True(status is 0 or 400 or 413 or 431, text.Length > 300 ? text[..300] : text);
        await node.AssertStillServesAsync("many headers");
    }

    /// <summary>SPEC §3.2 step 4: the Content-Length alone is enough to refuse; the body need not be sent.</summary>
    [Fact]
    public async Task Oversized_Content_Length_is_413_before_the_body_is_sent()
    {
        var request = Ascii("POST /v3/kv/put HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 3000000\r\n\r\n");
        var (status, text) = await RawHttp.ExchangeAsync(node.Port, request, closeAfterSend: false, TestContext.Current.CancellationToken);
        Assert.Equal(413, status);
        Assert.Equal(Error("etcdserver: request is too large", 3), RawHttp.Body(text));
        await node.AssertStillServesAsync("oversized Content-Length");
    }

    [Fact]
    public async Task A_good_request_after_a_bad_one_on_a_new_connection_and_pipelined_requests_work()
    {
        var ct = TestContext.Current.CancellationToken;
        const string put = "POST /v3/kv/put HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 29\r\n\r\n{\"key\":\"cGlw\",\"value\":\"MQ==\"}";
        const string range = "POST /v3/kv/range HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 14\r\n\r\n{\"key\":\"cGlw\"}";
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, node.Port, ct);
        await socket.SendAsync(Ascii(put + range), SocketFlags.None, ct);
        // Both responses may arrive in one read, so read until the second one is complete.
        var responses = await RawHttp.ReadResponsesAsync(socket, 2, ct);
        Assert.Equal(2, responses.Count);
        Assert.Equal(200, responses[0].Status);
        Assert.Equal(200, responses[1].Status);
        Assert.Contains("\"value\":\"MQ==\"", responses[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_connections_cut_mid_body_do_not_take_the_node_down()
    {
        var ct = TestContext.Current.CancellationToken;
        var tasks = new List<Task>();
        for (var i = 0; i < 50; i++)
        {
            tasks.Add(CutAsync(node.Port, ct));
        }

        await Task.WhenAll(tasks);
        await node.AssertStillServesAsync("50 cut connections");

        static async Task CutAsync(int port, CancellationToken ct)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port, ct);
            await socket.SendAsync(Ascii("POST /v3/kv/txn HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n{\"success\":["), SocketFlags.None, ct);
            socket.Close(0);
        }
    }
}
