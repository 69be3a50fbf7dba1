using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using AntiEtcd.Api;
using static AntiEtcd.Server.Tests.Etcd;

namespace AntiEtcd.Server.Tests;

/// <summary>
/// SPEC §7.1–§7.6 rules that the exchange tests of <see cref="WatchWebSocketTests"/> do not reach, one rule per test,
/// each over a real WebSocket against a one-node server.
/// </summary>
public sealed class WatchConformanceTests
{
    private static readonly CancellationToken s_ct = TestContext.Current.CancellationToken;

    private static JsonObject Result(string? message)
    {
        Assert.NotNull(message);
        return JsonNode.Parse(message)!["result"]!.AsObject();
    }

    private static async Task<JsonObject> CreateAsync(WsClient ws, string createRequest)
    {
        await ws.SendAsync("{\"create_request\":" + createRequest + "}");
        var created = Result(await ws.ReceiveAsync());
        Assert.True(created["created"]?.GetValue<bool>() == true && created["canceled"] is null, created.ToJsonString());
        return created;
    }

    /// <summary>SPEC §7.4 "Fragmentation": every part that holds more than one event is at most max_request_bytes long.</summary>
    [Fact]
    public async Task Fragments_of_several_events_are_at_most_max_request_bytes_long()
    {
        const int limit = 4096;
        await using var node = await RunningServer.StartAsync(o => o.MaxRequestBytes = limit);
        var server = node.Server;

        // Small keys and values with a long lease ID and prev_kv: the JSON per event is large
        // compared to its bytes of key and value.
        await server.LeaseGrantAsync(new() { Id = 7_587_869_541_234_567_890, Ttl = 600 }, null, s_ct);
        RequestOp Put(int i, string value) => new()
        {
            RequestPut = new() { Key = Encoding.UTF8.GetBytes($"f{i:00}"), Value = Encoding.UTF8.GetBytes(value), Lease = 7_587_869_541_234_567_890 },
        };
        await server.TxnAsync(new() { Success = [.. Enumerable.Range(0, 60).Select(i => Put(i, "x"))] }, null, s_ct);

        await using var ws = await WsClient.ConnectAsync(server);
        await CreateAsync(ws, $"{{\"key\":\"{B64("f")}\",\"range_end\":\"{B64("g")}\",\"prev_kv\":true,\"fragment\":true}}");
        await server.TxnAsync(new() { Success = [.. Enumerable.Range(0, 60).Select(i => Put(i, "y"))] }, null, s_ct);

        var parts = new List<string>();
        do
        {
            parts.Add(await ws.ReceiveAsync() ?? throw new InvalidOperationException("closed"));
        }
        while (Result(parts[^1])["fragment"] is not null);

        Assert.True(parts.Count > 1, "not fragmented");
        Assert.Equal(60, parts.Sum(p => Result(p)["events"]!.AsArray().Count));
        Assert.All(parts, p => Assert.True(Encoding.UTF8.GetByteCount(p) <= limit, $"a part of {Encoding.UTF8.GetByteCount(p)} bytes"));
    }

    /// <summary>SPEC §7.4 "Fragmentation": a single event larger than max_request_bytes is still sent, alone in its fragment.</summary>
    [Fact]
    public async Task An_event_larger_than_max_request_bytes_is_sent_alone_in_its_fragment()
    {
        const int limit = 2048;
        await using var node = await RunningServer.StartAsync(o => o.MaxRequestBytes = limit);
        var server = node.Server;
        await using var ws = await WsClient.ConnectAsync(server);
        await CreateAsync(ws, $"{{\"key\":\"{B64("f")}\",\"range_end\":\"{B64("g")}\",\"fragment\":true}}");
        await server.TxnAsync(new()
        {
            Success =
            [
                new() { RequestPut = new() { Key = "f1"u8.ToArray(), Value = new byte[10] } },
                new() { RequestPut = new() { Key = "f2"u8.ToArray(), Value = new byte[3000] } },
                new() { RequestPut = new() { Key = "f3"u8.ToArray(), Value = new byte[10] } },
            ],
        }, null, s_ct);

        var keys = new List<string>();
        JsonObject part;
        do
        {
            part = Result(await ws.ReceiveAsync());
            var events = part["events"]!.AsArray();
            Assert.NotEmpty(events);
            keys.AddRange(events.Select(e => Encoding.UTF8.GetString(Convert.FromBase64String(e!["kv"]!["key"]!.GetValue<string>()))));
            if (events.Any(e => e!["kv"]!["key"]!.GetValue<string>() == B64("f2")))
            {
                Assert.Single(events);
            }
        }
        while (part["fragment"] is not null);

        Assert.Equal(["f1", "f2", "f3"], keys);
    }

    /// <summary>SPEC §7.2: an object with several requests is handled in the order create, cancel, progress, whatever its field order.</summary>
    [Fact]
    public async Task Several_requests_in_one_message_are_handled_create_then_cancel_then_progress()
    {
        await using var node = await RunningServer.StartAsync();
        await using var ws = await WsClient.ConnectAsync(node.Server);
        await ws.SendAsync($"{{\"progress_request\":{{}},\"cancel_request\":{{\"watch_id\":4}},\"create_request\":{{\"key\":\"{B64("k")}\",\"watch_id\":4}}}}");
        var h = H(node.Server, 1);
        Assert.Equal($"{{\"result\":{{\"header\":{h},\"watch_id\":\"4\",\"created\":true}}}}", await ws.ReceiveAsync());
        Assert.Equal($"{{\"result\":{{\"header\":{h},\"watch_id\":\"4\",\"canceled\":true}}}}", await ws.ReceiveAsync());
        Assert.Equal($"{{\"result\":{{\"header\":{h},\"watch_id\":\"-1\"}}}}", await ws.ReceiveAsync());
    }

    /// <summary>
    /// SPEC §7.2: a cancel_request or progress_request that fails decoding gets no reply, and the requests of the
    /// same message that decode are still handled.
    /// </summary>
    [Fact]
    public async Task Undecodable_cancel_and_progress_requests_get_no_reply()
    {
        await using var node = await RunningServer.StartAsync();
        await using var ws = await WsClient.ConnectAsync(node.Server);
        await CreateAsync(ws, $"{{\"key\":\"{B64("k")}\"}}");
        await ws.SendAsync("{\"cancel_request\":{\"watch_id\":\"A\"}}");
        await ws.SendAsync("{\"cancel_request\":{\"watch_id\":0.5}}");
        await ws.SendAsync("{\"progress_request\":[]}");
        await ws.SendAsync("{\"cancel_request\":{\"watch_id\":\"A\"},\"progress_request\":{}}");
        Assert.Equal($"{{\"result\":{{\"header\":{H(node.Server, 1)},\"watch_id\":\"-1\"}}}}", await ws.ReceiveAsync());

        // Watch 0 was not canceled by any of them.
        await node.Server.PutAsync("k", "v", s_ct);
        Assert.Equal("0", Result(await ws.ReceiveAsync())["watch_id"]!.GetValue<string>());
        Assert.True(await ws.IsQuietAsync(TimeSpan.FromMilliseconds(200)));
    }

    /// <summary>
    /// SPEC §7.4 "Watch IDs": the per-connection counter increases by one and skips IDs in use; an ID freed by a cancel
    /// is not handed out again by the counter, but may be requested explicitly. IDs belong to the connection.
    /// </summary>
    [Fact]
    public async Task Auto_ids_count_up_skip_ids_in_use_and_belong_to_the_connection()
    {
        await using var node = await RunningServer.StartAsync();
        await using var ws = await WsClient.ConnectAsync(node.Server);
        var key = B64("k");
        Assert.Equal("1", (await CreateAsync(ws, $"{{\"key\":\"{key}\",\"watch_id\":1}}"))["watch_id"]!.GetValue<string>());
        Assert.Equal("0", (await CreateAsync(ws, $"{{\"key\":\"{key}\"}}"))["watch_id"]!.GetValue<string>());
        Assert.Equal("2", (await CreateAsync(ws, $"{{\"key\":\"{key}\",\"watch_id\":0}}"))["watch_id"]!.GetValue<string>());

        await ws.SendAsync("{\"cancel_request\":{\"watch_id\":0}}");
        Assert.True(Result(await ws.ReceiveAsync())["canceled"]!.GetValue<bool>());
        Assert.Equal("3", (await CreateAsync(ws, $"{{\"key\":\"{key}\"}}"))["watch_id"]!.GetValue<string>());

        // A freed ID can be requested again explicitly.
        await ws.SendAsync("{\"cancel_request\":{\"watch_id\":1}}");
        Assert.True(Result(await ws.ReceiveAsync())["canceled"]!.GetValue<bool>());
        Assert.Equal("1", (await CreateAsync(ws, $"{{\"key\":\"{key}\",\"watch_id\":1}}"))["watch_id"]!.GetValue<string>());

        // A failed create takes no ID, and the counter skips an ID in use.
        await ws.SendAsync($"{{\"create_request\":{{\"key\":\"{key}\",\"watch_id\":1}}}}");
        Assert.Equal("-1", Result(await ws.ReceiveAsync())["watch_id"]!.GetValue<string>());
        Assert.Equal("4", (await CreateAsync(ws, $"{{\"key\":\"{key}\"}}"))["watch_id"]!.GetValue<string>());
        Assert.Equal("5", (await CreateAsync(ws, $"{{\"key\":\"{key}\",\"watch_id\":5}}"))["watch_id"]!.GetValue<string>());
        Assert.Equal("6", (await CreateAsync(ws, $"{{\"key\":\"{key}\"}}"))["watch_id"]!.GetValue<string>());

        // Another connection has its own counter and its own IDs.
        await using var other = await WsClient.ConnectAsync(node.Server);
        Assert.Equal("0", (await CreateAsync(other, $"{{\"key\":\"{key}\"}}"))["watch_id"]!.GetValue<string>());
        Assert.Equal("1", (await CreateAsync(other, $"{{\"key\":\"{key}\",\"watch_id\":1}}"))["watch_id"]!.GetValue<string>());
    }

    /// <summary>
    /// SPEC §7.4 "Start point": a start_revision above the current revision waits for that revision, and a
    /// progress_request is not delayed by such a watch.
    /// </summary>
    [Fact]
    public async Task A_future_start_revision_waits_for_it_and_does_not_delay_progress()
    {
        await using var node = await RunningServer.StartAsync();
        var server = node.Server;
        await using var ws = await WsClient.ConnectAsync(server);
        await CreateAsync(ws, $"{{\"key\":\"{B64("k")}\",\"start_revision\":4}}");
        await server.PutAsync("k", "2", s_ct);
        await ws.SendAsync("{\"progress_request\":{}}");
        Assert.Equal($"{{\"result\":{{\"header\":{H(server, 2)},\"watch_id\":\"-1\"}}}}", await ws.ReceiveAsync());

        await server.PutAsync("k", "3", s_ct);
        await server.PutAsync("k", "4", s_ct);
        await server.PutAsync("k", "5", s_ct);
        var first = Result(await ws.ReceiveAsync());
        Assert.Equal("4", first["events"]![0]!["kv"]!["mod_revision"]!.GetValue<string>());
        var second = Result(await ws.ReceiveAsync());
        Assert.Equal("5", second["events"]![0]!["kv"]!["mod_revision"]!.GetValue<string>());
    }

    /// <summary>
    /// SPEC §7.4 "progress_request": the reply waits for a watch that is still replaying history, and comes after all
    /// of its events with revision ≤ R.
    /// </summary>
    [Fact]
    public async Task A_progress_reply_comes_after_every_replayed_event_up_to_its_revision()
    {
        await using var node = await RunningServer.StartAsync(o => o.CompactRevisions = 0);
        var server = node.Server;

        // More history than one replay step (1000 events).
        for (var i = 0; i < 30; i++)
        {
            await server.TxnAsync(new() { Success = [.. Enumerable.Range(0, 100).Select(j => new RequestOp { RequestPut = new() { Key = Encoding.UTF8.GetBytes($"r{j:000}"), Value = new byte[] { 1 } } })] }, null, s_ct);
        }

        await using var ws = await WsClient.ConnectAsync(server);
        await ws.SendAsync($"{{\"create_request\":{{\"key\":\"{B64("r")}\",\"range_end\":\"{B64("s")}\",\"start_revision\":2}}}}");
        await ws.SendAsync("{\"progress_request\":{}}");
        var revisions = new List<long>();
        JsonObject message;
        while (true)
        {
            message = Result(await ws.ReceiveAsync());
            if (message["watch_id"]!.GetValue<string>() == "-1")
            {
                break;
            }

            foreach (var e in message["events"]?.AsArray() ?? [])
            {
                revisions.Add(long.Parse(e!["kv"]!["mod_revision"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        Assert.Equal("31", message["header"]!["revision"]!.GetValue<string>());
        Assert.Equal(3000, revisions.Count);
        Assert.Equal(31, revisions[^1]);
    }

    /// <summary>
    /// SPEC §7.4: replay is produced only as the send queue drains, so replaying more history than the 64 MiB
    /// slow-client limit to a client that reads does not close the connection.
    /// </summary>
    [Fact]
    public async Task Replaying_more_than_the_slow_client_limit_to_a_reading_client_delivers_everything()
    {
        await using var node = await RunningServer.StartAsync(o => o.CompactRevisions = 0);
        var server = node.Server;
        var value = new byte[1_500_000];
        const int puts = 50; // 50 × 1.5 MB of history, more than 64 MiB once encoded
        for (var i = 0; i < puts; i++)
        {
            await server.PutAsync(new PutRequest { Key = "big"u8.ToArray(), Value = value }, null, s_ct);
        }

        await using var ws = await WsClient.ConnectAsync(server);
        await CreateAsync(ws, $"{{\"key\":\"{B64("big")}\",\"start_revision\":2}}");
        var revisions = new List<long>();
        while (revisions.Count < puts)
        {
            var message = await ws.ReceiveAsync(TimeSpan.FromSeconds(30));
            Assert.True(message is not null, $"closed after {revisions.Count} events: {ws.CloseStatus} {ws.CloseDescription}");
            foreach (var e in Result(message)["events"]!.AsArray())
            {
                revisions.Add(long.Parse(e!["kv"]!["mod_revision"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        Assert.Equal(Enumerable.Range(2, puts).Select(r => (long)r), revisions);
    }

    /// <summary>
    /// SPEC §7.4 "No duplicates and no gaps": a watch whose range matches nothing in a whole replay step of history
    /// (1000 events) still goes on replaying, delivers its later events and lets a progress reply through.
    /// </summary>
    [Fact]
    public async Task A_replay_step_without_a_matching_event_does_not_stall_the_watch()
    {
        await using var node = await RunningServer.StartAsync(o => o.CompactRevisions = 0);
        var server = node.Server;
        for (var i = 0; i < 15; i++)
        {
            await server.TxnAsync(new() { Success = [.. Enumerable.Range(0, 100).Select(j => new RequestOp { RequestPut = new() { Key = Encoding.UTF8.GetBytes($"o{j:000}"), Value = new byte[] { 1 } } })] }, null, s_ct);
        }

        await server.PutAsync("k", "v", s_ct);
        await using var ws = await WsClient.ConnectAsync(server);
        await CreateAsync(ws, $"{{\"key\":\"{B64("k")}\",\"start_revision\":2}}");
        await ws.SendAsync("{\"progress_request\":{}}");
        var events = Result(await ws.ReceiveAsync());
        Assert.Equal("17", events["events"]![0]!["kv"]!["mod_revision"]!.GetValue<string>());
        Assert.Equal($"{{\"result\":{{\"header\":{H(server, 17)},\"watch_id\":\"-1\"}}}}", await ws.ReceiveAsync());
    }

    /// <summary>
    /// SPEC §7.4 "Compaction": a compaction cancels, with the compacted message, a watch that still needs older events;
    /// what it had delivered before has no gap, and nothing of that watch follows the cancellation.
    /// </summary>
    [Fact]
    public async Task A_compaction_cancels_a_watch_still_replaying_older_history()
    {
        await using var node = await RunningServer.StartAsync(o => o.CompactRevisions = 0);
        var server = node.Server;
        var value = new byte[1_500_000];
        const int puts = 50; // far more than the socket buffers hold, so a client that does not read stalls the replay
        for (var i = 0; i < puts; i++)
        {
            await server.PutAsync(new PutRequest { Key = "big"u8.ToArray(), Value = value }, null, s_ct);
        }

        await using var ws = await WsClient.ConnectAsync(server);
        await CreateAsync(ws, $"{{\"key\":\"{B64("big")}\",\"start_revision\":2,\"watch_id\":8}}");

        // A progress reply waits for the replaying watch; the cancellation releases it.
        await ws.SendAsync("{\"progress_request\":{}}");
        var compact = puts + 1;
        await server.CompactAsync(new() { Revision = compact }, null, s_ct);

        var revisions = new List<long>();
        JsonObject message;
        while ((message = Result(await ws.ReceiveAsync(TimeSpan.FromSeconds(30))))["canceled"] is null)
        {
            Assert.Equal("8", message["watch_id"]!.GetValue<string>());
            foreach (var e in message["events"]!.AsArray())
            {
                revisions.Add(long.Parse(e!["kv"]!["mod_revision"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        Assert.True(revisions.Count < puts - 1, $"{revisions.Count} events were delivered before the compaction");
        Assert.Equal(Enumerable.Range(2, revisions.Count).Select(r => (long)r), revisions);
        Assert.Equal(
            $"{{\"result\":{{\"header\":{H(server, compact)},\"watch_id\":\"8\",\"canceled\":true,\"compact_revision\":\"{compact}\",\"cancel_reason\":\"etcdserver: mvcc: required revision has been compacted\"}}}}",
            message.Parent!.ToJsonString());
        Assert.Equal($"{{\"result\":{{\"header\":{H(server, compact)},\"watch_id\":\"-1\"}}}}", await ws.ReceiveAsync());
    }

    /// <summary>SPEC §7.1: a binary frame is read as UTF-8 text.</summary>
    [Fact]
    public async Task A_binary_frame_is_read_as_text()
    {
        await using var node = await RunningServer.StartAsync();
        await using var ws = await WsClient.ConnectAsync(node.Server);
        await ws.SendBytesAsync(Encoding.UTF8.GetBytes($"{{\"create_request\":{{\"key\":\"{B64("k")}\",\"watch_id\":9}}}}"), binary: true);
        Assert.Equal($"{{\"result\":{{\"header\":{H(node.Server, 1)},\"watch_id\":\"9\",\"created\":true}}}}", await ws.ReceiveAsync());
        await ws.SendBytesAsync("{oops"u8.ToArray(), binary: true);
        Assert.Equal("{\"error\":\"bad-json\"}", await ws.ReceiveAsync());
    }

    /// <summary>SPEC §7.4: an empty key without range_end watches the empty key; with range_end "\0" it watches every key.</summary>
    [Fact]
    public async Task An_empty_key_is_allowed()
    {
        await using var node = await RunningServer.StartAsync();
        await using var ws = await WsClient.ConnectAsync(node.Server);
        await CreateAsync(ws, "{\"watch_id\":1}");
        await CreateAsync(ws, "{\"watch_id\":2,\"range_end\":\"AA==\"}");
        await node.Server.PutAsync("any", "v", s_ct);
        Assert.Equal("2", Result(await ws.ReceiveAsync())["watch_id"]!.GetValue<string>());
        Assert.True(await ws.IsQuietAsync(TimeSpan.FromMilliseconds(200)));
    }

    /// <summary>SPEC §7.6: an error on the keepalive stream is the §3.6 error body, and the stream stays open.</summary>
    [Fact]
    public async Task Keepalive_stream_errors_are_error_bodies_and_the_stream_stays_open()
    {
        await using var node = await RunningServer.StartAsync();
        var server = node.Server;
        await server.LeaseGrantAsync(new() { Id = 42, Ttl = 30 }, null, s_ct);
        await using var ws = await WsClient.ConnectAsync(server, "/v3/lease/keepalive");
        await ws.SendAsync("{\"ID\":\"A\"}");
        Assert.Equal(Error("invalid value for field \\\"ID\\\": expected integer", 3), await ws.ReceiveAsync());
        await ws.SendAsync("[1]");
        Assert.Equal(Error("body should be JSON object", 3), await ws.ReceiveAsync());
        await ws.SendAsync("{\"ID\":1}x");
        Assert.Equal(Error("body should be valid JSON", 3), await ws.ReceiveAsync());

        // An empty message is the empty body, {} (SPEC §3.2 step 5): ID 0, an unknown lease.
        await ws.SendAsync("");
        Assert.Equal($"{{\"result\":{{\"header\":{H(server, 1)}}}}}", await ws.ReceiveAsync());
        await ws.SendAsync("{\"ID\":42}");
        Assert.Equal($"{{\"result\":{{\"header\":{H(server, 1)},\"ID\":\"42\",\"TTL\":\"30\"}}}}", await ws.ReceiveAsync());
    }

    /// <summary>SPEC §7.6, §10.6: each keepalive message passes the auth filter; a refusal is the 403 error body and the stream stays open.</summary>
    [Fact]
    public async Task Keepalive_stream_messages_pass_the_auth_filter_one_by_one()
    {
        await using var node = await RunningServer.StartAsync(o => o.AuthFilter = new TestAuthFilter());
        var server = node.Server;
        await server.LeaseGrantAsync(new() { Id = 42, Ttl = 30 }, null, s_ct);
        await using var ws = await WsClient.ConnectAsync(server, "/v3/lease/keepalive");
        await ws.SendAsync("{\"ID\":\"666\"}");
        Assert.Equal(Error("Access denied", 7), await ws.ReceiveAsync());
        await ws.SendAsync("{\"ID\":42}");
        Assert.Equal($"{{\"result\":{{\"header\":{H(server, 1)},\"ID\":\"42\",\"TTL\":\"30\"}}}}", await ws.ReceiveAsync());
    }

    /// <summary>SPEC §7.4: closing a watch connection ends its watches (they are gone from the metrics); "Stop" closes keepalive streams with 1001 too.</summary>
    [Fact]
    public async Task Closing_a_connection_ends_its_watches_and_stop_closes_keepalive_streams_with_1001()
    {
        await using var node = await RunningServer.StartAsync();
        async Task<string> WatchersAsync()
        {
            var metrics = await node.Http.GetStringAsync("/metrics", s_ct);
            return metrics.Split('\n').Single(l => l.StartsWith("antietcd_watchers ", StringComparison.Ordinal));
        }

        await using (var ws = await WsClient.ConnectAsync(node.Server))
        {
            await CreateAsync(ws, $"{{\"key\":\"{B64("k")}\"}}");
            await CreateAsync(ws, $"{{\"key\":\"{B64("k")}\"}}");
            Assert.Equal("antietcd_watchers 2", await WatchersAsync());
        }

        await ClusterNode.Until.TrueAsync(async () => await WatchersAsync() == "antietcd_watchers 0", TimeSpan.FromSeconds(10), () => "the closed connection's watches remain");

        await using var keepalive = await WsClient.ConnectAsync(node.Server, "/v3/lease/keepalive");
        await keepalive.SendAsync("{\"ID\":1}");
        Assert.NotNull(await keepalive.ReceiveAsync());
        var stop = node.Server.StopAsync(s_ct);
        Assert.Null(await keepalive.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, keepalive.CloseStatus);
        await stop;
    }

    /// <summary>SPEC §7.1: a client that never answers the server's Pings is aborted after the next Ping.</summary>
    [Fact]
    public async Task A_client_that_never_answers_pings_is_aborted()
    {
        await using var node = await RunningServer.StartAsync(o => o.WsKeepaliveInterval = 300);
        using var socket = await RawUpgradeAsync(node.Server.LocalPort);
        var opcodes = new List<int>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(s_ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            while (await ReadFrameAsync(socket, deadline.Token) is { } opcode)
            {
                opcodes.Add(opcode);
            }
        }
        catch (SocketException)
        {
            // Aborted: a reset is as good as a close.
        }

        Assert.False(deadline.IsCancellationRequested, "the connection was not aborted");
        Assert.Contains(0x9, opcodes);
    }

    /// <summary>
    /// SPEC §7.1: any frame from the client, not only a Pong, keeps the connection alive. (The Ping itself is .NET's
    /// keep-alive: it is sent after an interval in which no frame arrived, so an active client gets none; docs/api.md.)
    /// </summary>
    [Fact]
    public async Task A_client_that_sends_other_frames_instead_of_pongs_stays_connected()
    {
        await using var node = await RunningServer.StartAsync(o => o.WsKeepaliveInterval = 300);
        using var socket = await RawUpgradeAsync(node.Server.LocalPort);
        using var reader = CancellationTokenSource.CreateLinkedTokenSource(s_ct);
        var opcodes = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var closed = false;
        var reading = Task.Run(async () =>
        {
            try
            {
                while (await ReadFrameAsync(socket, reader.Token) is { } opcode)
                {
                    opcodes.Enqueue(opcode);
                }

                Volatile.Write(ref closed, true);
            }
            catch (SocketException)
            {
                Volatile.Write(ref closed, true);
            }
            catch (OperationCanceledException)
            {
            }
        }, s_ct);

        // An ignored message (SPEC §7.2) every 100 ms, never a Pong, for more than six Ping intervals: a duration
        // to observe, not a state to wait for.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(2) && !Volatile.Read(ref closed))
        {
            await socket.SendAsync(ClientFrame("{}"u8), SocketFlags.None, s_ct);
            await Task.Delay(100, s_ct);
        }

        Assert.False(Volatile.Read(ref closed), $"closed after {clock.Elapsed.TotalMilliseconds:0} ms");
        await socket.SendAsync(ClientFrame("{\"progress_request\":{}}"u8), SocketFlags.None, s_ct);
        await ClusterNode.Until.TrueAsync(() => opcodes.Contains(0x1), TimeSpan.FromSeconds(10), () => "no progress reply");
        await reader.CancelAsync();
        await reading;
    }

    private static async Task<Socket> RawUpgradeAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, s_ct);
        var upgrade = $"GET /v3/watch HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(upgrade), SocketFlags.None, s_ct);

        // Read the response head byte by byte, so that no frame byte after it is consumed.
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            Assert.Equal(1, await socket.ReceiveAsync(one, SocketFlags.None, s_ct));
            head.Append((char)one[0]);
        }

        Assert.StartsWith("HTTP/1.1 101", head.ToString(), StringComparison.Ordinal);
        return socket;
    }

    /// <summary>Reads one server frame (unmasked) and returns its opcode, or null at the end of the stream.</summary>
    private static async Task<int?> ReadFrameAsync(Socket socket, CancellationToken cancellationToken)
    {
        async Task<byte[]?> ReadExactlyAsync(int count)
        {
            var buffer = new byte[count];
            for (var read = 0; read < count;)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
                if (n == 0)
                {
                    return null;
                }

                read += n;
            }

            return buffer;
        }

        if (await ReadExactlyAsync(2) is not { } start)
        {
            return null;
        }

        long length = start[1] & 0x7F;
        if (length >= 126)
        {
            var extended = await ReadExactlyAsync(length == 126 ? 2 : 8);
            if (extended is null)
            {
                return null;
            }

            length = 0;
            foreach (var b in extended)
            {
                length = (length << 8) | b;
            }
        }

        return length == 0 || await ReadExactlyAsync((int)length) is not null ? start[0] & 0x0F : null;
    }

    /// <summary>A masked client text frame (zero mask) of a short payload.</summary>
    private static byte[] ClientFrame(ReadOnlySpan<byte> payload) => [0x81, (byte)(0x80 | payload.Length), 0, 0, 0, 0, .. payload];

    /// <summary>SPEC §7.1: the server does not negotiate compression, even when the client offers permessage-deflate.</summary>
    [Fact]
    public async Task Compression_is_not_negotiated()
    {
        await using var node = await RunningServer.StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        socket.Options.CollectHttpResponseDetails = true;
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{node.Server.LocalPort}/v3/watch"), s_ct);
        Assert.Equal(System.Net.HttpStatusCode.SwitchingProtocols, socket.HttpStatusCode);
        Assert.False(socket.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Extensions"));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", s_ct);
    }

    /// <summary>SPEC §7.1: the Origin check of §3.2 step 1 applies to a WebSocket upgrade.</summary>
    [Theory]
    [InlineData("/v3/watch")]
    [InlineData("/v3/lease/keepalive")]
    public async Task A_cross_origin_upgrade_is_refused_with_403(string path)
    {
        await using var node = await RunningServer.StartAsync();
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "http://evil.example");
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{node.Server.LocalPort}{path}"), s_ct));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    /// <summary>SPEC §7.1, §3.6: an upgrade on /metrics gets 405 <c>Please use GET method</c> with <c>Allow: GET</c>, like /health and /version.</summary>
    [Fact]
    public async Task An_upgrade_on_metrics_is_405_please_use_get()
    {
        await using var node = await RunningServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new("websocket"));
        request.Headers.Add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        request.Headers.Add("Sec-WebSocket-Version", "13");
        using var response = await node.Http.SendAsync(request, s_ct);
        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET"], response.Content.Headers.Allow);
        Assert.Equal(Error("Please use GET method", 12), await response.Content.ReadAsStringAsync(s_ct));
    }
}
