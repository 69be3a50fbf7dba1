using System.Collections.Concurrent;
using System.Net.WebSockets;

namespace AntiEtcd.Server.Cluster;

/// <summary>One peer WebSocket: whole-message receive with a size bound, serialized sends, a bounded close.</summary>
/// <remarks>
/// <para>At most one receive runs at a time (the connection's reader); sends may come from several tasks and
/// are serialized here, because a WebSocket allows one send and one receive at a time.</para>
/// <para>Every operation uses <see cref="Token"/>, which the transport's lifetime cancels. Cancelling a pending
/// receive aborts the socket: that is how a close that the peer never answers ends.</para>
/// </remarks>
internal sealed class PeerSocket : IAsyncDisposable
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(1);

    private readonly WebSocket _socket;
    private readonly CancellationTokenSource _cts;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private const int InitialBuffer = 16 * 1024;
    private const int LargeBuffer = 1024 * 1024;

    /// <summary>The most posted frames packed into one batch, in bytes: a batch stays a small frame.</summary>
    private const int MaxPostedBatchBytes = 256 * 1024;

    private readonly ConcurrentQueue<byte[]> _posted = new();
    private int _draining;
    private byte[] _buffer = new byte[InitialBuffer];
    private Task<ReceivedMessage>? _pendingReceive;
    private int _closing;

    /// <summary>Wraps <paramref name="socket"/>; the connection ends when <paramref name="lifetime"/> is cancelled.</summary>
    public PeerSocket(WebSocket socket, long id, string remoteAddress, TimeProvider time, CancellationToken lifetime)
    {
        _socket = socket;
        Id = id;
        RemoteAddress = remoteAddress;
        _cts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        Registration = lifetime.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _cts);
    }

    /// <summary>The transport-wide connection number.</summary>
    public long Id { get; }

    /// <summary>The remote address for logs (incoming) or the dialled URL (outgoing).</summary>
    public string RemoteAddress { get; }

    /// <summary>Cancelled when the connection must end.</summary>
    public CancellationToken Token => _cts.Token;

    private CancellationTokenRegistration Registration { get; }

    /// <summary>Sends one whole message.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> message, WebSocketMessageType type)
    {
        await _sendLock.WaitAsync(Token).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(message, type, endOfMessage: true, Token).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Sends one whole binary frame in the background, after the frames posted before it; false when the connection is
    /// already ending. A failure to send ends the connection (its read loop notices), so it needs no other report.
    /// </summary>
    /// <remarks>
    /// One task drains the posted frames in order; forwarding frames that queued up while it was sending go together
    /// as one <see cref="PeerFrameType.ForwardBatch"/> (at most <see cref="MaxPostedBatchBytes"/>), one send instead of many.
    /// </remarks>
    public bool Post(byte[] frame)
    {
        if (Token.IsCancellationRequested)
        {
            return false;
        }

        _posted.Enqueue(frame);
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            _ = DrainPostedAsync();
        }

        return true;
    }

    private async Task DrainPostedAsync()
    {
        try
        {
            while (true)
            {
                if (TakePosted() is { } frame)
                {
                    await SendAsync(frame, WebSocketMessageType.Binary).ConfigureAwait(false);
                    continue;
                }

                Volatile.Write(ref _draining, 0);

                // A frame posted after the queue looked empty, but before the flag was cleared, found a drain running.
                if (_posted.IsEmpty || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            Abort();
        }
    }

    /// <summary>The next frame to send: the first posted one alone, or with the forwarding frames queued behind it as one batch.</summary>
    private byte[]? TakePosted()
    {
        if (!_posted.TryDequeue(out var first))
        {
            return null;
        }

        if (!ForwardBatch.CanHold(first))
        {
            return first;
        }

        // This task is the only reader, so the frame peeked at is the one dequeued.
        List<byte[]>? frames = null;
        var size = first.Length;
        while (_posted.TryPeek(out var next) && ForwardBatch.CanHold(next) && size + next.Length <= MaxPostedBatchBytes && _posted.TryDequeue(out next))
        {
            (frames ??= [first]).Add(next);
            size += ForwardBatch.PerFrameOverhead + next.Length;
        }

        return frames is null ? first : ForwardBatch.Pack(frames);
    }

    /// <summary>Receives one whole message of at most <paramref name="maxBytes"/> into a new array.</summary>
    /// <exception cref="PeerProtocolException">The message is larger (<paramref name="tooBig"/> is the close code).</exception>
    public Task<ReceivedMessage> ReceiveAsync(int maxBytes, WebSocketCloseStatus tooBig)
    {
        var receive = ReceiveCoreAsync(maxBytes, tooBig);
        _pendingReceive = receive;
        return receive;
    }

    /// <summary>Like <see cref="ReceiveAsync"/>, but fails with a <see cref="PeerAuthException"/> once <paramref name="deadline"/> completes.</summary>
    public async Task<ReceivedMessage> ReceiveBeforeAsync(Task deadline, int maxBytes)
    {
        var receive = ReceiveAsync(maxBytes, WebSocketCloseStatus.PolicyViolation);
        if (await Task.WhenAny(receive, deadline).ConfigureAwait(false) != receive)
        {
            throw new PeerAuthException("authentication did not finish in time");
        }

        return await receive.ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a close frame with <paramref name="status"/> (when the socket can still send), then gives the peer
    /// a moment to answer before the pending receive is aborted. Never throws.
    /// </summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived && await _sendLock.WaitAsync(CloseGrace, Token).ConfigureAwait(false))
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
                    timeout.CancelAfter(CloseGrace);
                    await _socket.CloseOutputAsync(status, Truncate(reason), timeout.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The connection is already gone; there is nobody to tell.
        }

        try
        {
            _cts.CancelAfter(CloseGrace);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Ends the connection at once.</summary>
    public void Abort()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Abort();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await DrainAsync().ConfigureAwait(false);
        Abort();
        if (_pendingReceive is { } pending)
        {
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException or PeerProtocolException)
            {
                // Observed: the receive ended because the connection did.
            }
        }

        await Registration.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        _cts.Dispose();
        _sendLock.Dispose();
    }

    /// <summary>
    /// After this side sent a close, waits (at most the close grace, which <see cref="CloseAsync"/> armed) for the
    /// peer's close, discarding frames. Aborting at once could reset the TCP connection before the peer has read
    /// the close frame, and the peer would never learn the close code.
    /// </summary>
    public async Task DrainAsync()
    {
        if (_socket.State != WebSocketState.CloseSent)
        {
            return;
        }

        try
        {
            if (_pendingReceive is { IsCompleted: false } pending)
            {
                await pending.ConfigureAwait(false);
                return;
            }

            var scratch = new byte[4096];
            while ((await _socket.ReceiveAsync(scratch.AsMemory(), Token).ConfigureAwait(false)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException or PeerProtocolException)
        {
            // The grace ran out or the connection died: either way it is over.
        }
    }

    private async Task<ReceivedMessage> ReceiveCoreAsync(int maxBytes, WebSocketCloseStatus tooBig)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                if (length > maxBytes)
                {
                    throw new PeerProtocolException(tooBig, "message too big");
                }

                Array.Resize(ref _buffer, (int)Math.Min((long)maxBytes + 1, 2L * _buffer.Length));
            }

            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), Token).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new ReceivedMessage(WebSocketMessageType.Close, []);
            }

            length += result.Count;
            if (length > maxBytes)
            {
                throw new PeerProtocolException(tooBig, "message too big");
            }

            if (result.EndOfMessage)
            {
                // A fresh array: decoded Raft messages alias it, so the receive buffer cannot be handed out.
                var data = _buffer.AsSpan(0, length).ToArray();
                if (_buffer.Length > LargeBuffer)
                {
                    // One large frame (up to 64 MiB) should not pin its buffer for the life of the connection; chunks of a
                    // large message are sized to stay below this.
                    _buffer = new byte[InitialBuffer];
                }

                return new ReceivedMessage(result.MessageType, data);
            }
        }
    }

    // RFC 6455 §5.5: a control frame payload is at most 125 bytes, 2 of them the status code.
    private static string Truncate(string reason)
    {
        while (System.Text.Encoding.UTF8.GetByteCount(reason) > 123)
        {
            reason = reason[..^1];
        }

        return reason;
    }

    /// <summary>The close status and description the peer sent, for logs.</summary>
    public string DescribeClose() =>
        _socket.CloseStatus is { } status ? $"closed by the peer ({(int)status} {_socket.CloseStatusDescription})" : "connection lost";
}
