using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AntiEtcd.Server.Tests.Golden;
using Microsoft.Extensions.Time.Testing;

namespace AntiEtcd.Server.Tests;

/// <summary>
/// The WebSocket protocol against etcd 3.4's recorded session (etcd-golden/watch/websocket-session.txt),
/// with SPEC's documented differences applied to etcd's side (SPEC §7.3, §14.2): <c>watch_id</c>
/// and event <c>type</c> are always written, and a compacted cancellation carries
/// <c>header.revision</c> and a <c>cancel_reason</c>. Header IDs and terms are not compared.
/// Also <c>progress_notify</c> and <c>fragment</c> (SPEC §7.4).
/// </summary>
public sealed partial class WatchGoldenSessionTests
{
    private static readonly CancellationToken s_ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_recorded_watch_session_replays_with_the_documented_differences()
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(RepoPaths.GoldenDirectory, "watch", "websocket-session.txt"), s_ct);
        await using var node = await RunningServer.StartAsync();
        var server = node.Server;

        // etcd's run was at revision 42, with history compacted at 4, when the session began.
        for (var i = 0; i < 41; i++)
        {
            await server.PutAsync("setup/" + i, "x", s_ct);
        }

        await server.CompactAsync(new() { Revision = 4 }, null, s_ct);
        await using var ws = await WsClient.ConnectAsync(server);
        var compared = 0;
        foreach (var line in lines)
        {
            var step = Step().Match(line);
            if (!step.Success)
            {
                continue;
            }

            var (kind, payload) = (step.Groups[1].Value, step.Groups[2].Value);
            if (kind == "send: ")
            {
                if (!payload.EndsWith('}'))
                {
                    break; // the rest of the session exercises a cut message and other routes
                }

                await ws.SendAsync(payload);
            }
            else if (kind == "recv text: ")
            {
                var expected = Normalize(ToSpecForm(JsonNode.Parse(payload)!));
                var actual = Normalize(JsonNode.Parse(await ws.ReceiveAsync() ?? throw new InvalidOperationException("closed"))!);
                Assert.Equal(expected, actual);
                compared++;
            }
            else if (Put().Match(kind + payload) is { Success: true } put)
            {
                await server.PutAsync(put.Groups[1].Value, put.Groups[2].Value, s_ct);
            }
        }

        Assert.True(compared >= 6, $"only {compared} messages compared");
    }

    [Fact]
    public async Task Progress_notify_reaches_an_idle_watch()
    {
        var clock = new FakeTimeProvider();
        await using var node = await RunningServer.StartAsync(o => o.WatchProgressNotifyInterval = 60_000, clock);
        await using var ws = await WsClient.ConnectAsync(node.Server);
        await ws.SendAsync("{\"create_request\":{\"key\":\"aw==\",\"progress_notify\":true,\"watch_id\":3}}");
        Assert.Contains("\"created\":true", await ws.ReceiveAsync(), StringComparison.Ordinal);
        await node.Server.PutAsync("other", "x", s_ct);

        string? message = null;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (message is null)
        {
            Assert.False(deadline.IsCancellationRequested, "no progress notification");
            clock.Advance(TimeSpan.FromSeconds(61));
            try
            {
                message = await ws.ReceiveAsync(TimeSpan.FromMilliseconds(200));
            }
            catch (OperationCanceledException) when (!s_ct.IsCancellationRequested)
            {
            }
        }

        Assert.Equal($"{{\"result\":{{\"header\":{Etcd.H(node.Server, 2)},\"watch_id\":\"3\"}}}}", message);
    }

    [Fact]
    public async Task Fragment_splits_a_large_revision_and_only_when_asked()
    {
        await using var node = await RunningServer.StartAsync(o => o.MaxRequestBytes = 4096);
        await using var fragmented = await WsClient.ConnectAsync(node.Server);
        await using var whole = await WsClient.ConnectAsync(node.Server);
        await fragmented.SendAsync("{\"create_request\":{\"key\":\"Zg==\",\"range_end\":\"Zw==\",\"fragment\":true}}");
        await whole.SendAsync("{\"create_request\":{\"key\":\"Zg==\",\"range_end\":\"Zw==\"}}");
        Assert.Contains("\"created\":true", await fragmented.ReceiveAsync(), StringComparison.Ordinal);
        Assert.Contains("\"created\":true", await whole.ReceiveAsync(), StringComparison.Ordinal);

        // One txn of five 1.5 KB values: one revision whose message is far over 4096 bytes.
        var value = new byte[1500];
        await node.Server.TxnAsync(new()
        {
            Success = [.. Enumerable.Range(0, 5).Select(i => new AntiEtcd.Api.RequestOp { RequestPut = new() { Key = System.Text.Encoding.UTF8.GetBytes("f" + i), Value = value } })],
        }, null, s_ct);

        var parts = new List<JsonNode>();
        do
        {
            parts.Add(JsonNode.Parse(await fragmented.ReceiveAsync() ?? throw new InvalidOperationException("closed"))!["result"]!);
        }
        while (parts[^1]["fragment"] is not null);

        Assert.True(parts.Count > 1, "not fragmented");
        Assert.All(parts[..^1], p => Assert.True((bool)p["fragment"]!));
        Assert.All(parts, p => Assert.NotEmpty(p["events"]!.AsArray()));
        Assert.Equal(5, parts.Sum(p => p["events"]!.AsArray().Count));
        Assert.Single(parts.Select(p => (string?)p["header"]!["revision"]).Distinct());

        var single = JsonNode.Parse(await whole.ReceiveAsync() ?? throw new InvalidOperationException("closed"))!["result"]!;
        Assert.Equal(5, single["events"]!.AsArray().Count);
        Assert.Null(single["fragment"]);
    }

    /// <summary>etcd's message rewritten to what SPEC requires of ours.</summary>
    private static JsonNode ToSpecForm(JsonNode message)
    {
        var result = message["result"]!.AsObject();
        if (!result.ContainsKey("watch_id"))
        {
            // Insert right after the header, where SPEC §7.3's field order puts it.
            var fields = result.ToList();
            result.Clear();
            foreach (var (name, value) in fields)
            {
                result[name] = value?.DeepClone();
                if (name == "header")
                {
                    result["watch_id"] = "0";
                }
            }
        }

        foreach (var e in result["events"]?.AsArray() ?? [])
        {
            var ev = e!.AsObject();
            if (!ev.ContainsKey("type"))
            {
                var fields = ev.ToList();
                ev.Clear();
                ev["type"] = "PUT";
                foreach (var (name, value) in fields)
                {
                    ev[name] = value?.DeepClone();
                }
            }
        }

        if (result.ContainsKey("compact_revision") && !result.ContainsKey("cancel_reason"))
        {
            result["cancel_reason"] = "etcdserver: mvcc: required revision has been compacted";
        }

        return message;
    }

    /// <summary>Drops values SPEC lets differ: IDs, the term, and the revision of a compacted cancellation's header (etcd sends none).</summary>
    private static string Normalize(JsonNode message)
    {
        var header = message["result"]!["header"]!.AsObject();
        header.Remove("cluster_id");
        header.Remove("member_id");
        header.Remove("raft_term");
        if (message["result"]!["compact_revision"] is not null)
        {
            header.Remove("revision");
        }

        return message.ToJsonString();
    }

    [GeneratedRegex(@"^\[\+\s*\d+ms\] (send: |recv text: |put )(.*)$")]
    private static partial Regex Step();

    [GeneratedRegex(@"^put (\w+)=(\w+) -> ")]
    private static partial Regex Put();
}
