using System.Text;
using AntiEtcd.Api;
using AntiEtcd.Server.Tests.ClusterNode;
using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Tests;

/// <summary>SPEC §13.2 and §3.6: the in-process watch calls, their errors and the callback contract.</summary>
public sealed class EmbeddedWatchTests : IAsyncLifetime
{
    private static readonly CancellationToken s_ct = TestContext.Current.CancellationToken;
    private readonly CapturedLogs _logs = new();
    private readonly List<WatchResponse> _received = [];
    private AntiEtcdServer? _server;

    private AntiEtcdServer Server => _server!;

    public async ValueTask InitializeAsync()
    {
        _server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0 }, _logs);
        await _server.StartAsync(s_ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private ValueTask Record(WatchResponse message)
    {
        lock (_received)
        {
            _received.Add(message);
        }

        return ValueTask.CompletedTask;
    }

    private WatchResponse[] Received()
    {
        lock (_received)
        {
            return [.. _received];
        }
    }

    private static WatchCreateRequest Watch(string key, long watchId = 0) => new() { Key = Encoding.UTF8.GetBytes(key), WatchId = watchId };

    [Fact]
    public async Task Cancel_stops_the_callback_and_a_second_cancel_is_watch_not_found()
    {
        var id = await Server.CreateWatchAsync(Watch("k"), Record, null, s_ct);
        await Server.PutAsync("k", "1", s_ct);
        await Server.RequestProgressAsync(s_ct);
        Assert.Equal([2L], Received().SelectMany(m => m.Events).Select(e => e.Kv.ModRevision));

        await Server.CancelWatchAsync(id, s_ct);
        await Server.PutAsync("k", "2", s_ct);
        await Server.RequestProgressAsync(s_ct);

        // No event after the cancel, and no cancellation message either: the caller asked for it.
        Assert.Single(Received());
        var again = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => Server.CancelWatchAsync(id, s_ct));
        Assert.Equal((400, 3, "Watch not found"), (again.Code, again.GrpcCode, again.Message));
    }

    /// <summary>
    /// SPEC §13.2, §7.4 "cancel_request": once CancelWatchAsync has returned, the callback is not called again, even
    /// for events that were queued behind a call still running.
    /// </summary>
    [Fact]
    public async Task After_cancel_returns_queued_events_are_not_delivered()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = await Server.CreateWatchAsync(Watch("k"), async m =>
        {
            entered.TrySetResult();
            await release.Task;
            await Record(m);
        }, null, s_ct);
        await Server.PutAsync("k", "1", s_ct);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10), s_ct);
        await Server.PutAsync("k", "2", s_ct);
        await Server.PutAsync("k", "3", s_ct);

        await Server.CancelWatchAsync(id, s_ct);
        release.SetResult();

        // The call that was running finishes; a canceled watch is outside the progress promise, so its pump is
        // watched for a short while instead: nothing more may come.
        await Until.TrueAsync(() => Received().Length == 1, TimeSpan.FromSeconds(10), () => "the running call did not finish");
        await Server.RequestProgressAsync(s_ct);
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        while (quiet.Elapsed < TimeSpan.FromMilliseconds(300))
        {
            Assert.Equal([2L], Received().SelectMany(m => m.Events).Select(e => e.Kv.ModRevision));
            await Task.Delay(20, s_ct);
        }
    }

    /// <summary>
    /// SPEC §13.2: CreateWatchAsync that ends in cancellation leaves no watch behind, since its caller never learns an
    /// ID to cancel: the callback is never called, even when the token fires while the history is replayed.
    /// </summary>
    [Fact]
    public async Task A_canceled_create_leaves_no_watch_behind()
    {
        using (var canceled = new CancellationTokenSource())
        {
            await canceled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Server.CreateWatchAsync(Watch("k"), Record, null, canceled.Token));
        }

        // Canceled by the callback itself on its first event, while later replay steps are still to come.
        for (var i = 0; i < 30; i++)
        {
            await Server.TxnAsync(new() { Success = [.. Enumerable.Range(0, 100).Select(j => new RequestOp { RequestPut = new() { Key = Encoding.UTF8.GetBytes($"r{j:000}"), Value = new byte[] { 1 } } })] }, null, s_ct);
        }

        using var during = new CancellationTokenSource();
        var calls = 0;
        var replaying = Server.CreateWatchAsync(new WatchCreateRequest { Key = "r"u8.ToArray(), RangeEnd = "s"u8.ToArray(), StartRevision = 2 }, async _ =>
        {
            Interlocked.Increment(ref calls);
            await during.CancelAsync();
        }, null, during.Token);
        try
        {
            await replaying;
        }
        catch (OperationCanceledException)
        {
        }

        var before = Volatile.Read(ref calls);
        await Server.PutAsync("k", "1", s_ct);
        await Server.PutAsync("r000", "2", s_ct);
        await Server.RequestProgressAsync(s_ct).WaitAsync(TimeSpan.FromSeconds(10), s_ct);
        Assert.Empty(Received());
        if (replaying.IsCanceled)
        {
            Assert.Equal(before, Volatile.Read(ref calls));
        }
    }

    [Fact]
    public async Task Cancel_of_an_id_that_never_existed_is_watch_not_found()
    {
        var error = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => Server.CancelWatchAsync(12345, s_ct));
        Assert.Equal((400, 3, "Watch not found"), (error.Code, error.GrpcCode, error.Message));
    }

    [Fact]
    public async Task Ids_are_the_requested_one_or_auto_assigned_from_zero_skipping_ids_in_use()
    {
        Assert.Equal(1, await Server.CreateWatchAsync(Watch("a", watchId: 1), Record, null, s_ct));
        Assert.Equal(0, await Server.CreateWatchAsync(Watch("a"), Record, null, s_ct));
        Assert.Equal(2, await Server.CreateWatchAsync(Watch("a"), Record, null, s_ct));
    }

    [Theory]
    [InlineData("invalid watch_id", "k", "", -1, 0)]
    [InlineData("invalid start_revision", "k", "", 0, -1)]
    [InlineData("mvcc: watcher range is empty", "b", "a", 0, 0)]
    [InlineData("mvcc: watcher range is empty", "b", "b", 0, 0)]
    public async Task Create_failures_throw_400_with_the_cancel_reason(string reason, string key, string rangeEnd, long watchId, long startRevision)
    {
        var request = new WatchCreateRequest { Key = Encoding.UTF8.GetBytes(key), RangeEnd = Encoding.UTF8.GetBytes(rangeEnd), WatchId = watchId, StartRevision = startRevision };
        var error = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => Server.CreateWatchAsync(request, Record, null, s_ct));
        Assert.Equal((400, 3, reason), (error.Code, error.GrpcCode, error.Message));
        Assert.Null(error.CompactRevision);

        // Nothing was created: a later write reaches no callback.
        await Server.PutAsync("b", "1", s_ct);
        await Server.RequestProgressAsync(s_ct);
        Assert.Empty(Received());
    }

    [Fact]
    public async Task A_duplicate_id_throws_and_leaves_the_first_watch_running()
    {
        Assert.Equal(7, await Server.CreateWatchAsync(Watch("k", watchId: 7), Record, null, s_ct));
        var error = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => Server.CreateWatchAsync(Watch("other", watchId: 7), _ => ValueTask.CompletedTask, null, s_ct));
        Assert.Equal((400, 3, "mvcc: duplicate watch ID provided on the WatchStream"), (error.Code, error.GrpcCode, error.Message));

        await Server.PutAsync("k", "1", s_ct);
        await Server.RequestProgressAsync(s_ct);
        var message = Assert.Single(Received());
        Assert.Equal(7, message.WatchId);
        Assert.Equal("k"u8.ToArray(), Assert.Single(message.Events).Kv.Key.ToArray());
    }

    [Fact]
    public async Task A_compacted_start_revision_throws_code_11_with_the_compact_revision()
    {
        for (var i = 0; i < 4; i++)
        {
            await Server.PutAsync("k", i.ToString(System.Globalization.CultureInfo.InvariantCulture), s_ct);
        }

        await Server.CompactAsync(new CompactionRequest { Revision = 4 }, null, s_ct);
        var request = new WatchCreateRequest { Key = "k"u8.ToArray(), StartRevision = 3 };
        var error = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => Server.CreateWatchAsync(request, Record, null, s_ct));
        Assert.Equal((400, 11, "etcdserver: mvcc: required revision has been compacted"), (error.Code, error.GrpcCode, error.Message));
        Assert.Equal(4, error.CompactRevision);

        // Refused, not created: its callback hears nothing (no created-then-canceled pair as over WebSocket).
        await Server.RequestProgressAsync(s_ct);
        Assert.Empty(Received());

        // The compaction point itself can still be watched from.
        var id = await Server.CreateWatchAsync(new WatchCreateRequest { Key = "k"u8.ToArray(), StartRevision = 4 }, Record, null, s_ct);
        await Server.RequestProgressAsync(s_ct);
        Assert.Equal([4L, 5L], Received().Where(m => m.WatchId == id).SelectMany(m => m.Events).Select(e => e.Kv.ModRevision));
    }

    [Fact]
    public async Task A_callback_that_throws_cancels_its_watch_and_is_not_called_again()
    {
        var calls = 0;
        var id = await Server.CreateWatchAsync(Watch("k"), _ =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("callback failure (injected)");
        }, null, s_ct);
        var healthy = await Server.CreateWatchAsync(Watch("k"), Record, null, s_ct);

        await Server.PutAsync("k", "1", s_ct);
        await Until.TrueAsync(() => Volatile.Read(ref calls) == 1, TimeSpan.FromSeconds(10), () => "the callback was not called");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Server.LocalPort}") };
        await Until.TrueAsync(
            async () => (await http.GetStringAsync("/metrics", s_ct)).Contains("\nantietcd_watchers 1\n", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            () => "the failed watch was not removed");

        await Server.PutAsync("k", "2", s_ct);
        await Server.RequestProgressAsync(s_ct);
        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.Equal([2L, 3L], Received().Where(m => m.WatchId == healthy).SelectMany(m => m.Events).Select(e => e.Kv.ModRevision));
        Assert.Contains(_logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains($"watch {id} is canceled", StringComparison.Ordinal));
        var error = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => Server.CancelWatchAsync(id, s_ct));
        Assert.Equal("Watch not found", error.Message);
    }

    /// <summary>SPEC §13.2: more than 64 MiB waiting for one in-process watch cancels it with "watcher is too slow", as its last message.</summary>
    [Fact]
    public async Task A_callback_that_falls_more_than_64_MiB_behind_gets_watcher_is_too_slow_last()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var messages = new List<WatchResponse>();
        var id = await Server.CreateWatchAsync(Watch("big"), async m =>
        {
            await release.Task;
            lock (messages)
            {
                messages.Add(m);
            }
        }, null, s_ct);
        var fast = await Server.CreateWatchAsync(Watch("big"), Record, null, s_ct);

        var value = new byte[1_500_000];
        for (var i = 0; i < 50; i++)
        {
            await Server.PutAsync(new PutRequest { Key = "big"u8.ToArray(), Value = value }, null, s_ct);
        }

        release.SetResult();
        await Until.TrueAsync(() => { lock (messages) { return messages.Count > 0 && messages[^1].Canceled; } }, TimeSpan.FromSeconds(30), () => "no cancellation");
        await Server.PutAsync("big", "after", s_ct);
        await Server.RequestProgressAsync(s_ct);
        WatchResponse[] got;
        lock (messages)
        {
            got = [.. messages];
        }

        var last = got[^1];
        Assert.Equal((id, true, "watcher is too slow"), (last.WatchId, last.Canceled, last.CancelReason));
        Assert.All(got[..^1], m => Assert.False(m.Canceled));
        var delivered = got[..^1].SelectMany(m => m.Events).Select(e => e.Kv.ModRevision).ToArray();
        Assert.Equal(Enumerable.Range(2, delivered.Length).Select(r => (long)r), delivered);
        Assert.True(delivered.Length < 50, $"{delivered.Length} events delivered to a callback that fell behind");

        // The other watch saw everything.
        Assert.Equal(Enumerable.Range(2, 51).Select(r => (long)r), Received().Where(m => m.WatchId == fast).SelectMany(m => m.Events).Select(e => e.Kv.ModRevision));
        var error = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => Server.CancelWatchAsync(id, s_ct));
        Assert.Equal("Watch not found", error.Message);
    }

    /// <summary>SPEC §7.4, §13.2: an in-process watch with progress_notify gets progress notifications through its callback.</summary>
    [Fact]
    public async Task An_idle_in_process_watch_with_progress_notify_gets_a_notification()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var server = new AntiEtcdServer(new AntiEtcdOptions { Port = 0, WatchProgressNotifyInterval = 60_000 }, _logs, clock);
        await server.StartAsync(s_ct);
        var id = await server.CreateWatchAsync(new WatchCreateRequest { Key = "k"u8.ToArray(), ProgressNotify = true, WatchId = 4 }, Record, null, s_ct);
        await server.PutAsync("other", "x", s_ct);
        await Until.TrueAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromSeconds(61));
                return Received().Length > 0;
            },
            TimeSpan.FromSeconds(20),
            () => "no progress notification");
        var notification = Received()[0];
        Assert.Equal((id, 2L), (notification.WatchId, notification.Header!.Revision));
        Assert.Empty(notification.Events);
        Assert.False(notification.Canceled);
    }

    [Fact]
    public async Task Calls_after_the_stop_get_502()
    {
        var id = await Server.CreateWatchAsync(Watch("k"), Record, null, s_ct);
        await Server.StopAsync(s_ct);
        foreach (var call in new Func<Task>[]
                 {
                     () => Server.CreateWatchAsync(Watch("k"), Record, null, s_ct),
                     () => Server.CancelWatchAsync(id, s_ct),
                     () => Server.RequestProgressAsync(s_ct),
                 })
        {
            var error = await Assert.ThrowsAsync<AntiEtcdRequestException>(call);
            Assert.Equal((502, 14, "Server is stopping (request not executed, safe to retry)"), (error.Code, error.GrpcCode, error.Message));
        }
    }
}
