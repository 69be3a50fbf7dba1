using System.Buffers.Text;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AntiEtcd.LoadGen;

namespace AntiEtcd.WatchBench;

/// <summary>
/// One WebSocket connection carrying <c>W</c> watches on the benchmark prefix (watch IDs 1…W), and
/// what it received: events per watch, the last revision per watch (to catch duplicates and
/// reordering), and the delivery latency of each event from the send timestamp in its value.
/// </summary>
/// <remarks>
/// Owned by its receive loop while the run lasts; the counters are read by the runner only through
/// <see cref="EventsReceived"/> (a volatile progress figure) until the loop has ended.
/// </remarks>
internal sealed class WatchConnection : IDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly int _watches;
    private readonly TaskCompletionSource _created = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly double _nsPerTick = 1e9 / Stopwatch.Frequency;
    private byte[] _unescaped = new byte[256];
    private int _createdCount;
    private long _eventsReceived;
    private long _windowStart = long.MaxValue;
    private long _windowEnd = long.MaxValue;

    public WatchConnection(int watches)
    {
        _watches = watches;
        Counts = new long[watches];
        LastRevision = new long[watches];
        FirstRevision = new long[watches];
        _socket.Options.KeepAliveInterval = Timeout.InfiniteTimeSpan;
    }

    /// <summary>Events received per watch (index = watch ID − 1).</summary>
    public long[] Counts { get; }

    /// <summary>The revision of the last event per watch.</summary>
    public long[] LastRevision { get; }

    /// <summary>The revision of the first event per watch (0 = none yet).</summary>
    public long[] FirstRevision { get; }

    /// <summary>
    /// Revisions skipped inside each watch's sequence, summed. Every put of the run is the only
    /// write to the server, so each revision is one event and a skipped revision is a lost event.
    /// </summary>
    public long Gaps { get; private set; }

    /// <summary>Events whose revision was not above the previous one of the same watch (duplicates or reordering).</summary>
    public long NotIncreasing { get; private set; }

    /// <summary>Events for a watch ID this connection did not create, or messages that canceled a watch.</summary>
    public long Unexpected { get; private set; }

    /// <summary>Events received inside the measured window (by receive time).</summary>
    public long EventsInWindow { get; private set; }

    /// <summary>WebSocket messages received (one message may carry several events).</summary>
    public long Messages { get; private set; }

    /// <summary>Delivery latency of the events whose put was sent inside the measured window.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Why the receive loop ended early, if it did.</summary>
    public string? Error { get; private set; }

    /// <summary>Events received so far, all watches; safe to read from any thread.</summary>
    public long EventsReceived => Volatile.Read(ref _eventsReceived);

    public void Dispose() => _socket.Dispose();

    /// <summary>Sets the measured window (Stopwatch timestamps) before the first put is sent.</summary>
    public void SetWindow(long start, long end)
    {
        _windowStart = start;
        _windowEnd = end;
    }

    /// <summary>Connects, starts the receive loop, creates the watches and waits until every one is confirmed.</summary>
    /// <returns>The receive loop, which runs until <paramref name="stop"/> is cancelled or the server closes.</returns>
    public async Task<Task> OpenAsync(Uri watchUri, CancellationToken stop)
    {
        await _socket.ConnectAsync(watchUri, stop);
        var loop = Task.Run(() => ReceiveLoopAsync(stop), CancellationToken.None);
        var prefix = Convert.ToBase64String(Encoding.ASCII.GetBytes(WatchBenchOptions.Prefix));
        var end = Encoding.ASCII.GetBytes(WatchBenchOptions.Prefix);
        end[^1]++;
        var rangeEnd = Convert.ToBase64String(end);
        for (var id = 1; id <= _watches; id++)
        {
            var create = Encoding.ASCII.GetBytes($$$"""{"create_request":{"key":"{{{prefix}}}","range_end":"{{{rangeEnd}}}","watch_id":{{{id}}}}}""");
            await _socket.SendAsync(create, WebSocketMessageType.Text, true, stop);
        }

        await _created.Task.WaitAsync(stop);
        return loop;
    }

    private async Task ReceiveLoopAsync(CancellationToken stop)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var result = await _socket.ReceiveAsync(buffer.AsMemory(filled), stop);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Error ??= $"server closed the connection: {_socket.CloseStatus} {_socket.CloseStatusDescription}";
                    _created.TrySetException(new InvalidOperationException(Error));
                    return;
                }

                filled += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }

                Handle(buffer.AsSpan(0, filled), Stopwatch.GetTimestamp());
                filled = 0;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
        catch (WebSocketException ex)
        {
            Error ??= ex.Message;
            _created.TrySetException(ex);
        }
    }

    /// <summary>
    /// Reads one server message with a forward-only reader: <c>watch_id</c> comes before
    /// <c>events</c>, and in each kv <c>mod_revision</c> before <c>value</c> (SPEC §7.3 field order).
    /// </summary>
    private void Handle(ReadOnlySpan<byte> json, long received)
    {
        Messages++;
        var reader = new Utf8JsonReader(json);
        var index = -1;
        long revision = 0;
        Span<byte> digits = stackalloc byte[48];
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.ValueTextEquals("watch_id"u8))
            {
                reader.Read();
                index = (int)ParseLong(reader.ValueSpan) - 1;
            }
            else if (reader.ValueTextEquals("created"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.True && ++_createdCount == _watches)
                {
                    _created.TrySetResult();
                }
            }
            else if (reader.ValueTextEquals("canceled"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.True)
                {
                    Unexpected++;
                    Error ??= $"a watch was canceled: {Encoding.UTF8.GetString(json[..Math.Min(json.Length, 300)])}";
                    _created.TrySetException(new InvalidOperationException(Error));
                }
            }
            else if (reader.ValueTextEquals("mod_revision"u8))
            {
                reader.Read();
                revision = ParseLong(reader.ValueSpan);
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                reader.Read();

                // The first 28 base64 characters hold the 20-byte send timestamp (19 digits and '|').
                var base64 = reader.ValueSpan;
                if (reader.ValueIsEscaped)
                {
                    if (_unescaped.Length < reader.ValueSpan.Length)
                    {
                        _unescaped = new byte[reader.ValueSpan.Length];
                    }

                    var length = reader.CopyString(_unescaped);
                    base64 = _unescaped.AsSpan(0, length);
                }

                long sent = 0;
                if (base64.Length >= 28
                    && Base64.DecodeFromUtf8(base64[..28], digits, out _, out var written) == System.Buffers.OperationStatus.Done
                    && Utf8Parser.TryParse(digits[..Math.Min(written, 19)], out long parsed, out _))
                {
                    sent = parsed;
                }

                RecordEvent(index, revision, sent, received);
            }
        }
    }

    private void RecordEvent(int index, long revision, long sent, long received)
    {
        if ((uint)index >= (uint)_watches)
        {
            Unexpected++;
            return;
        }

        Counts[index]++;
        if (FirstRevision[index] == 0)
        {
            FirstRevision[index] = revision;
        }
        else if (revision <= LastRevision[index])
        {
            NotIncreasing++;
        }
        else if (revision > LastRevision[index] + 1)
        {
            Gaps += revision - LastRevision[index] - 1;
        }

        LastRevision[index] = revision;
        Interlocked.Increment(ref _eventsReceived);
        if (received >= _windowStart && received < _windowEnd)
        {
            EventsInWindow++;
        }

        if (sent >= _windowStart && sent < _windowEnd)
        {
            Latency.Record((long)((received - sent) * _nsPerTick));
        }
    }

    private static long ParseLong(ReadOnlySpan<byte> digits) =>
        Utf8Parser.TryParse(digits, out long value, out _) ? value : -1;
}
