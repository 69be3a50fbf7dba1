using System.Text;
using System.Text.RegularExpressions;
using AntiEtcd.Server.Tests.ClusterNode;
using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Tests;

/// <summary>SPEC §11.5: the <c>access</c> and <c>watch</c> log lines.</summary>
public sealed class AccessLogTests : IAsyncDisposable
{
    private const string Time = @"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z";
    private static readonly CancellationToken s_ct = TestContext.Current.CancellationToken;
    private readonly CapturedLogs _logs = new();
    private AntiEtcdServer? _server;
    private HttpClient? _http;

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task<HttpClient> StartAsync(AntiEtcdLogs logs)
    {
        _server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Logs = logs }, _logs);
        await _server.StartAsync(s_ct);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_server.LocalPort}") };
        return _http;
    }

    private string[] InfoLines() => _logs.Lines.Where(l => l.Level == LogLevel.Information).Select(l => l.Message).ToArray();

    /// <summary>Waits for the one information line that matches: the line is written after the response is sent.</summary>
    private async Task<Match> LineAsync(string pattern)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        Match? found = null;
        await Until.TrueAsync(
            () => (found = InfoLines().Select(l => regex.Match(l)).FirstOrDefault(m => m.Success)) is not null,
            TimeSpan.FromSeconds(10),
            () => $"no log line matches {pattern}; lines:\n" + string.Join("\n", InfoLines()));
        return found!;
    }

    [Fact]
    public async Task A_request_is_logged_with_its_query_status_and_both_bodies_with_newlines_escaped()
    {
        var http = await StartAsync(AntiEtcdLogs.Access);
        using var response = await http.PostAsync("/v3/kv/put?prev_kv=1", new StringContent("{\"key\":\"Zm9v\",\r\n\"value\":\"YmFy\"}"), s_ct);
        var body = await response.Content.ReadAsStringAsync(s_ct);

        var match = await LineAsync($"^(?<time>{Time}) 127\\.0\\.0\\.1 POST /v3/kv/put\\?prev_kv=1 200 (?<ms>\\d+)ms\n    (?<request>.*)\n    (?<response>.*)$");
        Assert.Equal("{\"key\":\"Zm9v\",\\r\\n\"value\":\"YmFy\"}", match.Groups["request"].Value);
        Assert.Equal(body, match.Groups["response"].Value);
        var time = DateTimeOffset.Parse(match.Groups["time"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(time, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task Errors_and_get_routes_are_logged_too()
    {
        var http = await StartAsync(AntiEtcdLogs.Access);
        using (await http.GetAsync("/nope", s_ct))
        {
        }

        using (await http.GetAsync("/health", s_ct))
        {
        }

        var notFound = await LineAsync($"^{Time} 127\\.0\\.0\\.1 GET /nope 404 \\d+ms\n    \n    (?<response>.*)$");
        Assert.StartsWith("{\"error\":\"Supported APIs: ", notFound.Groups["response"].Value, StringComparison.Ordinal);
        await LineAsync($"^{Time} 127\\.0\\.0\\.1 GET /health 200 \\d+ms\n    \n    \\{{\"health\":\"true\"\\}}$");
    }

    [Fact]
    public async Task The_address_is_the_first_x_forwarded_for_entry()
    {
        var http = await StartAsync(AntiEtcdLogs.Access);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v3/kv/range") { Content = new StringContent("{\"key\":\"Zm9v\"}") };
        request.Headers.Add("X-Forwarded-For", " 203.0.113.7 , 10.0.0.1");
        using (await http.SendAsync(request, s_ct))
        {
        }

        await LineAsync($"^{Time} 203\\.0\\.113\\.7 POST /v3/kv/range 200 \\d+ms\n");
    }

    [Fact]
    public async Task Bodies_longer_than_4096_bytes_are_truncated_with_their_length()
    {
        var http = await StartAsync(AntiEtcdLogs.Access);
        var value = Convert.ToBase64String(new byte[4500]);
        var json = $"{{\"key\":\"Zm9v\",\"value\":\"{value}\"}}";
        using (await http.PostAsync("/v3/kv/put", new StringContent(json), s_ct))
        {
        }

        var match = await LineAsync($"^{Time} 127\\.0\\.0\\.1 POST /v3/kv/put 200 \\d+ms\n    (?<request>.*)\n    (?<response>.*)$");
        Assert.Equal(json[..4096] + $"…({Encoding.UTF8.GetByteCount(json)} bytes)", match.Groups["request"].Value);
        Assert.StartsWith("{\"header\":", match.Groups["response"].Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_access_in_logs_nothing_is_logged_per_request()
    {
        var http = await StartAsync(AntiEtcdLogs.None);
        using (await http.PostAsync("/v3/kv/put", new StringContent("{\"key\":\"Zm9v\"}"), s_ct))
        {
        }

        // A second request on the same connection: the first one's handler, logging included, has finished.
        using (await http.PostAsync("/v3/kv/range", new StringContent("{\"key\":\"Zm9v\"}"), s_ct))
        {
        }

        // (The server's logger factory also gets ASP.NET Core's own request lines, in another format.)
        var accessLine = new Regex($"^{Time} 127\\.0\\.0\\.1 POST /v3/kv/", RegexOptions.CultureInvariant);
        Assert.DoesNotContain(InfoLines(), accessLine.IsMatch);
    }

    [Fact]
    public async Task Websocket_messages_in_and_out_are_logged_by_access_and_watch()
    {
        await StartAsync(AntiEtcdLogs.Access | AntiEtcdLogs.Watch);
        await using var ws = await WsClient.ConnectAsync(_server!);
        const string create = "{\"create_request\":{\"key\":\"Zm9v\"}}";
        await ws.SendAsync(create);
        var created = await ws.ReceiveAsync();
        Assert.NotNull(created);

        await LineAsync($"^{Time} 127\\.0\\.0\\.1 -> {Regex.Escape(create)}$");
        await LineAsync($"^{Time} 127\\.0\\.0\\.1 <- {Regex.Escape(created)}$");
    }

    [Fact]
    public async Task Websocket_lines_name_the_client_by_x_forwarded_for_as_request_lines_do()
    {
        await StartAsync(AntiEtcdLogs.Access | AntiEtcdLogs.Watch);
        await using var ws = await WsClient.ConnectAsync(_server!, headers: new Dictionary<string, string> { ["X-Forwarded-For"] = "198.51.100.9, 10.0.0.1" });
        const string create = "{\"create_request\":{\"key\":\"Zm9v\"}}";
        await ws.SendAsync(create);
        var created = await ws.ReceiveAsync();
        Assert.NotNull(created);

        await LineAsync($"^{Time} 198\\.51\\.100\\.9 -> {Regex.Escape(create)}$");
        await LineAsync($"^{Time} 198\\.51\\.100\\.9 <- {Regex.Escape(created)}$");
    }

    [Fact]
    public async Task Websocket_messages_are_kept_on_one_line_and_cut_after_4096_bytes_like_bodies()
    {
        await StartAsync(AntiEtcdLogs.Access | AntiEtcdLogs.Watch);
        await using var ws = await WsClient.ConnectAsync(_server!);
        await ws.SendAsync("{\"create_request\":\r\n{\"key\":\"Zm9v\"}}");
        Assert.NotNull(await ws.ReceiveAsync());
        await LineAsync($"^{Time} 127\\.0\\.0\\.1 -> {Regex.Escape("{\"create_request\":\\r\\n{\"key\":\"Zm9v\"}}")}$");

        // An event with a 4,500-byte value: the outgoing message is longer than a logged body may be.
        var value = Convert.ToBase64String(new byte[4500]);
        using (await _http!.PostAsync("/v3/kv/put", new StringContent($"{{\"key\":\"Zm9v\",\"value\":\"{value}\"}}"), s_ct))
        {
        }

        var eventMessage = await ws.ReceiveAsync();
        Assert.NotNull(eventMessage);
        Assert.Contains(value, eventMessage, StringComparison.Ordinal);
        var match = await LineAsync($"^{Time} 127\\.0\\.0\\.1 <- (?<message>\\{{\"result\".*\"events\".*)$");
        Assert.Equal(eventMessage[..4096] + $"…({Encoding.UTF8.GetByteCount(eventMessage)} bytes)", match.Groups["message"].Value);
    }

    [Fact]
    public async Task Keepalive_stream_messages_are_logged_as_they_arrive()
    {
        await StartAsync(AntiEtcdLogs.Access);
        await using var ws = await WsClient.ConnectAsync(_server!, "/v3/lease/keepalive", new Dictionary<string, string> { ["X-Forwarded-For"] = "198.51.100.9" });
        await ws.SendAsync("{\"ID\":\"9\"}");
        Assert.NotNull(await ws.ReceiveAsync());

        await LineAsync($"^{Time} 198\\.51\\.100\\.9 -> \\{{\"ID\":\"9\"\\}}$");
    }

    [Fact]
    public async Task Access_alone_does_not_log_outgoing_watch_messages()
    {
        await StartAsync(AntiEtcdLogs.Access);
        await using var ws = await WsClient.ConnectAsync(_server!);
        await ws.SendAsync("{\"create_request\":{\"key\":\"Zm9v\"}}");
        Assert.NotNull(await ws.ReceiveAsync());
        await ws.SendAsync("{\"progress_request\":{}}");
        Assert.NotNull(await ws.ReceiveAsync());

        // The progress request was logged as it arrived, after the created message had been sent.
        await LineAsync($"^{Time} 127\\.0\\.0\\.1 -> \\{{\"progress_request\":\\{{\\}}\\}}$");
        Assert.DoesNotContain(InfoLines(), l => l.Contains(" <- ", StringComparison.Ordinal));
    }
}
