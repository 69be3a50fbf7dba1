using System.Text.Json;
using System.Text.RegularExpressions;

namespace AntiEtcd.Cli.Tests;

/// <summary>SPEC §12.2 watch: output, all keys, replay, compaction, Ctrl-C, and resumption after a lost connection.</summary>
[Collection("processes")]
public sealed class AnticliWatchTests(AnticliServerFixture server) : IClassFixture<AnticliServerFixture>
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    [Fact]
    public async Task Watch_prints_one_json_line_per_message_with_text_keys_and_values_and_ctrl_c_exits_0()
    {
        await using var watch = AnticliProcess.Start(null, "-e", server.Url, "watch", "wt/", "-p");
        await watch.WaitForStdoutAsync(o => o.Contains("\"created\":true", StringComparison.Ordinal));
        await server.RunAsync("put", "wt/a", "Hello");
        await server.RunAsync("del", "wt/a");
        await watch.WaitForStdoutAsync(o => o.Contains("DELETE", StringComparison.Ordinal));

        var lines = watch.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        using (var created = JsonDocument.Parse(lines[0]))
        {
            Assert.Equal("1", created.RootElement.GetProperty("result").GetProperty("watch_id").GetString());
        }

        using (var put = JsonDocument.Parse(lines[1]))
        {
            var kv = put.RootElement.GetProperty("result").GetProperty("events")[0].GetProperty("kv");
            Assert.Equal("wt/a", kv.GetProperty("key").GetString());
            Assert.Equal("Hello", kv.GetProperty("value").GetString());
        }

        watch.Signal(SigInt);
        Assert.Equal(0, await watch.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Watch_json_prints_messages_unchanged_and_invalid_utf8_becomes_a_replacement_character()
    {
        await using var json = AnticliProcess.Start(null, "-e", server.Url, "watch", "wt-bin", "--json");
        await using var text = AnticliProcess.Start(null, "-e", server.Url, "watch", "wt-bin");
        await json.WaitForStdoutAsync(o => o.Contains("\"created\":true", StringComparison.Ordinal));
        await text.WaitForStdoutAsync(o => o.Contains("\"created\":true", StringComparison.Ordinal));
        await server.RunWithInputAsync([0x41, 0xFF], "put", "wt-bin");

        await json.WaitForStdoutAsync(o => o.Contains("\"events\"", StringComparison.Ordinal));
        Assert.Contains("\"key\":\"d3QtYmlu\"", json.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"value\":\"Qf8=\"", json.Stdout, StringComparison.Ordinal);
        await text.WaitForStdoutAsync(o => o.Contains("\"events\"", StringComparison.Ordinal));
        Assert.Contains("\"value\":\"A\uFFFD\"", text.Stdout, StringComparison.Ordinal);

        json.Signal(SigTerm);
        Assert.Equal(0, await json.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Watch_without_keys_sees_every_key_and_revision_replays_history()
    {
        var first = await server.RunAsync("put", "wt-replay", "1", "--json");
        using var put = JsonDocument.Parse(first.Stdout);
        var revision = put.RootElement.GetProperty("header").GetProperty("revision").GetString()!;
        await server.RunAsync("put", "wt-replay", "2");

        await using var all = AnticliProcess.Start(null, "-e", server.Url, "watch", "--revision", revision);
        await all.WaitForStdoutAsync(o => o.Contains("\"value\":\"2\"", StringComparison.Ordinal));
        Assert.Contains("\"value\":\"1\"", all.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"key\":\"wt-replay\"", all.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_compacted_start_revision_is_printed_and_exits_1()
    {
        await server.RunAsync("put", "wt-compact", "1");
        var last = await server.RunAsync("put", "wt-compact", "2", "--json");
        using var put = JsonDocument.Parse(last.Stdout);
        var revision = put.RootElement.GetProperty("header").GetProperty("revision").GetString()!;
        Assert.Contains("\"header\"", await server.PostAsync("/v3/kv/compaction", $"{{\"revision\":\"{revision}\"}}"), StringComparison.Ordinal);

        var watch = await AnticliProcess.RunAsync("-e", server.Url, "watch", "wt-compact", "--revision", "2");
        Assert.Equal(1, watch.ExitCode);
        Assert.Contains("\"cancel_reason\":\"etcdserver: mvcc: required revision has been compacted\"", watch.Stdout, StringComparison.Ordinal);
        Assert.Contains("compacted", watch.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_key_gets_the_create_request_of_the_spec_with_watch_ids_from_1()
    {
        // SPEC §12.2: {"create_request":{"key","range_end"?,"watch_id":i+1,"progress_notify":true,"start_revision"?}},
        // read back from the server's access log of incoming WebSocket messages (SPEC §11.5).
        await using var logged = ServerProcess.Start("--port", "0", "--logs", "access");
        var url = $"http://127.0.0.1:{await logged.WaitForPortAsync()}";
        await using (var watch = AnticliProcess.Start(null, "-e", url, "watch", "wc/dir/", "wc/key", "-p"))
        {
            await watch.WaitForStdoutAsync(o => Regex.Count(o, "\"created\":true") == 2);
        }

        await using (var watch = AnticliProcess.Start(null, "-e", url, "watch", "wc/key", "--revision", "1"))
        {
            await watch.WaitForStdoutAsync(o => o.Contains("\"created\":true", StringComparison.Ordinal));
        }

        await using (var watch = AnticliProcess.Start(null, "-e", url, "watch"))
        {
            await watch.WaitForStdoutAsync(o => o.Contains("\"created\":true", StringComparison.Ordinal));
        }

        var creates = logged.Stdout.Split('\n').Where(l => l.Contains(" -> ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(" -> ", StringComparison.Ordinal) + 4)..]).ToArray();
        Assert.Equal(
            [
                """{"create_request":{"key":"d2MvZGlyLw==","range_end":"d2MvZGlyMA==","watch_id":1,"progress_notify":true}}""",
                """{"create_request":{"key":"d2Mva2V5Lw==","range_end":"d2Mva2V5MA==","watch_id":2,"progress_notify":true}}""",
                """{"create_request":{"key":"d2Mva2V5","watch_id":1,"progress_notify":true,"start_revision":1}}""",
                """{"create_request":{"key":"AA==","range_end":"AA==","watch_id":1,"progress_notify":true}}""",
            ],
            creates);
    }

    [Fact]
    public async Task A_watch_with_no_reachable_endpoint_exits_1()
    {
        var dead = AnticliFakeEndpoint.DeadUrl();
        var watch = await AnticliProcess.RunAsync("-e", dead, "watch", "k");
        Assert.Equal(1, watch.ExitCode);
        Assert.StartsWith($"{dead.Replace("http", "ws", StringComparison.Ordinal)}/v3/watch: ", watch.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_lost_connection_each_watch_resumes_after_its_last_revision_with_no_loss_and_no_repeat()
    {
        await using var proxy = new AnticliTcpProxy(server.Port);
        // Watch 1 sees an event before the cut (R from its event); watch 2 sees none (R from its created message).
        await using var watch = AnticliProcess.Start(null, "-e", proxy.Url, "watch", "wr/a", "wr/b");
        await watch.WaitForStdoutAsync(o => Regex.Count(o, "\"created\":true") == 2);
        await server.RunAsync("put", "wr/a", "a1");
        await watch.WaitForStdoutAsync(o => o.Contains("\"a1\"", StringComparison.Ordinal));

        proxy.CutAndRefuse();
        await watch.WaitForStderrAsync(e => e.Contains("/v3/watch: ", StringComparison.Ordinal));
        await server.RunAsync("put", "wr/a", "a2");
        await server.RunAsync("put", "wr/b", "b1");
        await server.RunAsync("put", "wr/a", "a3");
        proxy.Resume();

        await watch.WaitForStdoutAsync(o => o.Contains("\"a3\"", StringComparison.Ordinal) && o.Contains("\"b1\"", StringComparison.Ordinal));
        await server.RunAsync("put", "wr/b", "b2");
        await watch.WaitForStdoutAsync(o => o.Contains("\"b2\"", StringComparison.Ordinal));

        var output = watch.Stdout;
        Assert.Equal(4, Regex.Count(output, "\"created\":true"));
        foreach (var value in new[] { "a1", "a2", "a3", "b1", "b2" })
        {
            Assert.Single(Regex.Matches(output, $"\"value\":\"{value}\""));
        }

        Assert.True(output.IndexOf("\"a2\"", StringComparison.Ordinal) < output.IndexOf("\"a3\"", StringComparison.Ordinal));
    }
}
