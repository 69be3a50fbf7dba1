using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using AntiEtcd.Api;

namespace AntiEtcd.Server.Tests;

/// <summary>
/// Watches under a randomized concurrent write load, checked against the truth read back from the
/// store revision by revision: ordered, unique, atomic per revision, complete, prev_kv correct,
/// filtered correctly, and resumable from any retained revision (etcd's robustness validators).
/// </summary>
public sealed class WatchValidatorTests
{
    private static readonly CancellationToken s_ct = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Watches_match_the_history_under_concurrent_writes(int seed)
    {
        await using var node = await RunningServer.StartAsync(o => o.CompactRevisions = 0);
        var server = node.Server;

        var all = new Recorder();
        var prefixB = new Recorder();
        var noDelete = new Recorder();
        await server.CreateWatchAsync(new WatchCreateRequest { Key = new byte[] { 0 }, RangeEnd = new byte[] { 0 }, PrevKv = true }, all.OnMessageAsync, null, s_ct);
        await server.CreateWatchAsync(new WatchCreateRequest { Key = "b"u8.ToArray(), RangeEnd = "c"u8.ToArray(), PrevKv = true }, prefixB.OnMessageAsync, null, s_ct);
        await server.CreateWatchAsync(new WatchCreateRequest { Key = "a"u8.ToArray(), RangeEnd = "c"u8.ToArray(), Filters = [FilterType.NoDelete] }, noDelete.OnMessageAsync, null, s_ct);
        await using var ws = await WsClient.ConnectAsync(server);
        await ws.SendAsync("{\"create_request\":{\"key\":\"AA==\",\"range_end\":\"AA==\"}}");
        Assert.Contains("\"created\":true", await ws.ReceiveAsync(), StringComparison.Ordinal);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => WriteLoadAsync(server, new Random(seed * 100 + worker), 150)));
        var final = await server.RequestProgressAsync(s_ct);
        var truth = await TruthAsync(server, final);
        Assert.True(truth.Count > 300, $"too little history: {truth.Count} events");

        Validate(all.Messages, truth, 2, _ => true, prevKv: true);
        Validate(prefixB.Messages, truth, 2, e => e.Key.StartsWith('b'), prevKv: true);
        Validate(noDelete.Messages, truth, 2, e => e.Key[0] is 'a' or 'b' && e.Type == EventType.Put, prevKv: false);

        var wsMessages = new List<WatchResponse>();
        while (wsMessages.Sum(m => m.Events.Count) < truth.Count)
        {
            wsMessages.Add(ParseWatchMessage(await ws.ReceiveAsync() ?? throw new InvalidOperationException("closed")));
        }

        Validate(wsMessages, truth, 2, _ => true, prevKv: false);

        // Resumable: a new watch from any retained revision gets exactly what followed it.
        var random = new Random(seed);
        for (var i = 0; i < 5; i++)
        {
            var start = random.NextInt64(2, final + 1);
            var resumed = new Recorder();
            await server.CreateWatchAsync(new WatchCreateRequest { Key = new byte[] { 0 }, RangeEnd = new byte[] { 0 }, StartRevision = start, PrevKv = true }, resumed.OnMessageAsync, null, s_ct);
            await server.RequestProgressAsync(s_ct);
            Validate(resumed.Messages, truth, start, _ => true, prevKv: true);
        }
    }

    private static async Task WriteLoadAsync(AntiEtcdServer server, Random random, int operations)
    {
        string Key() => $"{"abc"[random.Next(3)]}{random.Next(6)}";
        for (var i = 0; i < operations; i++)
        {
            switch (random.Next(10))
            {
                case < 5:
                    await server.PutAsync(Key(), $"v{random.Next(1000)}", s_ct);
                    break;
                case < 7:
                    await server.DeleteRangeAsync(new DeleteRangeRequest { Key = Encoding.UTF8.GetBytes(Key()) }, null, s_ct);
                    break;
                case < 8:
                    var prefix = "abc"[random.Next(3)];
                    await server.DeleteRangeAsync(new DeleteRangeRequest { Key = new[] { (byte)prefix }, RangeEnd = new[] { (byte)(prefix + 1) } }, null, s_ct);
                    break;
                default:
                    // A multi-key txn: all its events share one revision and must arrive in one message.
                    await server.TxnAsync(new TxnRequest
                    {
                        Success =
                        [
                            new RequestOp { RequestPut = new PutRequest { Key = Encoding.UTF8.GetBytes("a" + random.Next(6)), Value = "t"u8.ToArray() } },
                            new RequestOp { RequestPut = new PutRequest { Key = Encoding.UTF8.GetBytes("b" + random.Next(6)), Value = "t"u8.ToArray() } },
                            new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Encoding.UTF8.GetBytes("c" + random.Next(6)) } },
                        ],
                    }, null, s_ct);
                    break;
            }
        }
    }

    /// <summary>Every change, derived from range reads at each revision: a key whose mod_revision is r was put at r; a key gone since r-1 was deleted at r.</summary>
    private static async Task<List<Change>> TruthAsync(AntiEtcdServer server, long final)
    {
        var changes = new List<Change>();
        var previous = new Dictionary<string, KeyValue>();
        for (long revision = 1; revision <= final; revision++)
        {
            var range = await server.RangeAsync(new RangeRequest { Key = new byte[] { 0 }, RangeEnd = new byte[] { 0 }, Revision = revision }, null, s_ct);
            var current = range.Kvs.ToDictionary(kv => Encoding.UTF8.GetString(kv.Key.Span));
            var atRevision = new List<Change>();
            foreach (var (key, kv) in current)
            {
                if (kv.ModRevision == revision)
                {
                    atRevision.Add(new Change(revision, key, EventType.Put, Encoding.UTF8.GetString(kv.Value.Span), kv.Version, previous.GetValueOrDefault(key)));
                }
            }

            foreach (var (key, kv) in previous)
            {
                if (!current.ContainsKey(key))
                {
                    atRevision.Add(new Change(revision, key, EventType.Delete, "", 0, kv));
                }
            }

            changes.AddRange(atRevision.OrderBy(c => c.Key, StringComparer.Ordinal));
            previous = current;
        }

        return changes;
    }

    private static void Validate(IReadOnlyList<WatchResponse> messages, List<Change> truth, long from, Func<Change, bool> wanted, bool prevKv)
    {
        long lastRevision = 0;
        var seenRevisions = new HashSet<long>();
        var received = new List<Change>();
        foreach (var message in messages)
        {
            Assert.NotEmpty(message.Events);
            var revision = message.Events[0].Kv.ModRevision;
            // Ordered and atomic: one revision per message, strictly increasing, never split.
            Assert.All(message.Events, e => Assert.Equal(revision, e.Kv.ModRevision));
            Assert.True(revision > lastRevision, $"revision {revision} after {lastRevision}");
            Assert.True(seenRevisions.Add(revision), $"revision {revision} split over messages");
            Assert.True(message.Header.Revision >= revision);
            lastRevision = revision;
            foreach (var e in message.Events)
            {
                var key = Encoding.UTF8.GetString(e.Kv.Key.Span);
                received.Add(new Change(revision, key, e.Type, Encoding.UTF8.GetString(e.Kv.Value.Span), e.Kv.Version, e.PrevKv));
            }
        }

        var expected = truth.Where(c => c.Revision >= from && wanted(c)).ToList();
        var receivedSorted = received.OrderBy(c => c.Revision).ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Count, receivedSorted.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (want, got) = (expected[i], receivedSorted[i]);
            Assert.Equal((want.Revision, want.Key, want.Type, want.Value, want.Version), (got.Revision, got.Key, got.Type, got.Value, got.Version));
            if (prevKv)
            {
                Assert.Equal(want.Previous?.ModRevision, got.Previous?.ModRevision);
                Assert.Equal(want.Previous is null ? null : Encoding.UTF8.GetString(want.Previous.Value.Span), got.Previous is null ? null : Encoding.UTF8.GetString(got.Previous.Value.Span));
            }
            else
            {
                Assert.Null(got.Previous);
            }
        }
    }

    private static WatchResponse ParseWatchMessage(string json)
    {
        var result = JsonNode.Parse(json)!["result"]!;
        var events = new List<Event>();
        foreach (var e in result["events"]?.AsArray() ?? [])
        {
            var kv = e!["kv"]!;
            events.Add(new Event
            {
                Type = (string?)e["type"] == "DELETE" ? EventType.Delete : EventType.Put,
                Kv = new KeyValue
                {
                    Key = Convert.FromBase64String((string)kv["key"]!),
                    Value = kv["value"] is { } v ? Convert.FromBase64String((string)v!) : default,
                    ModRevision = long.Parse((string)kv["mod_revision"]!, System.Globalization.CultureInfo.InvariantCulture),
                    Version = kv["version"] is { } ver ? long.Parse((string)ver!, System.Globalization.CultureInfo.InvariantCulture) : 0,
                },
                PrevKv = e["prev_kv"] is null ? null : new KeyValue(),
            });
        }

        return new WatchResponse
        {
            Header = new ResponseHeader { Revision = long.Parse((string)result["header"]!["revision"]!, System.Globalization.CultureInfo.InvariantCulture) },
            Events = events,
        };
    }

    private sealed record Change(long Revision, string Key, EventType Type, string Value, long Version, KeyValue? Previous);

    private sealed class Recorder
    {
        private readonly ConcurrentQueue<WatchResponse> _messages = new();

        public IReadOnlyList<WatchResponse> Messages => [.. _messages];

        public ValueTask OnMessageAsync(WatchResponse message)
        {
            Assert.False(message.Canceled, $"watch canceled: {message.CancelReason}");
            _messages.Enqueue(message);
            return ValueTask.CompletedTask;
        }
    }
}
