using System.Threading.Channels;
using AntiEtcd.Api;
using AntiEtcd.Server.Node;

namespace AntiEtcd.Server.Hosting;

/// <summary>The watch stream of one client WebSocket: a byte-accounted send queue fed by the hub.</summary>
/// <remarks>
/// <see cref="Enqueue"/> runs on the apply loop; <see cref="TryRead"/> and <see cref="Sent"/> on
/// the connection's sender. When more than <see cref="WatchStream.MaxPendingBytes"/> wait, the
/// stream gives up and the connection is closed with 1013 (SPEC §7.4).
/// </remarks>
internal sealed class SocketWatchStream(int maxMessageBytes) : WatchStream
{
    private readonly Channel<(WatchResponse? Message, byte[]? Raw, long Bytes)> _queue =
        Channel.CreateUnbounded<(WatchResponse?, byte[]?, long)>(new UnboundedChannelOptions { SingleReader = true });

    private long _pendingBytes;
    private volatile bool _closed;

    /// <summary>True when the stream was dropped for being too slow.</summary>
    public bool TooSlow { get; private set; }

    public override bool IsClosed => _closed;

    public override int MaxMessageBytes => maxMessageBytes;

    public override bool IsDrained => Interlocked.Read(ref _pendingBytes) == 0;

    public override bool Enqueue(WatchResponse message)
    {
        if (_closed)
        {
            return false;
        }

        var bytes = EstimateBytes(message);
        if (Interlocked.Add(ref _pendingBytes, bytes) > MaxPendingBytes)
        {
            TooSlow = true;
            Close();
            return false;
        }

        return _queue.Writer.TryWrite((message, null, bytes));
    }

    /// <summary>Queues a fixed reply such as <c>{"error":"bad-json"}</c> (SPEC §7.2), in order with the rest.</summary>
    public void EnqueueRaw(byte[] json)
    {
        Interlocked.Add(ref _pendingBytes, json.Length);
        _queue.Writer.TryWrite((null, json, json.Length));
    }

    /// <summary>The next message to send; false once the stream is closed.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _queue.Reader.WaitToReadAsync(cancellationToken);

    public bool TryRead(out WatchResponse? message, out byte[]? raw, out long bytes)
    {
        var ok = _queue.Reader.TryRead(out var item);
        (message, raw, bytes) = item;
        return ok;
    }

    /// <summary>Accounts for a message that has been sent.</summary>
    public void Sent(long bytes) => Interlocked.Add(ref _pendingBytes, -bytes);

    /// <summary>Stops the queue; the hub drops the stream's watches when told.</summary>
    public void Close()
    {
        _closed = true;
        _queue.Writer.TryComplete();
    }
}
