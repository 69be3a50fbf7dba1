using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using AntiEtcd.Raft;

namespace AntiEtcd.Server.Cluster;

/// <summary>
/// This node's side of one peer: the bounded send queue and the outgoing connection that drains it, dialled to
/// the peer's URL and redialled with backoff (SPEC §10.3: one outgoing connection per peer).
/// </summary>
/// <remarks>
/// <para><b>Queue.</b> A bounded channel in drop-oldest mode, by count (<see cref="PeerTransportOptions.SendQueueCapacity"/>)
/// and by encoded bytes (<see cref="PeerTransportOptions.MaxQueuedBytes"/>). Producers never wait, so the Raft loop
/// is never blocked by this peer; Raft tolerates the loss (it retransmits after a rejection or a heartbeat).
/// Messages queued while disconnected are kept (within the bounds) and sent after the next handshake.</para>
/// <para><b>Batching.</b> The connection task takes everything queued, up to <see cref="PeerTransportOptions.MaxBatchBytes"/>,
/// into one frame; while a frame is being written, new messages accumulate for the next one.</para>
/// <para><b>Chunking.</b> A message too large for one frame (SPEC §10.4: a snapshot, a volatile reset, an import) goes
/// alone: its RaftBatch payload is encoded once and sent as consecutive <see cref="PeerFrameType.RaftChunk"/> frames
/// of at most <see cref="PeerTransportOptions.MaxBatchBytes"/> (and never over the frame limit). Such a message does
/// not count against <see cref="PeerTransportOptions.MaxQueuedBytes"/>: it alone may exceed the bound, and it would
/// otherwise be dropped on arrival or evicted by the next heartbeat. What it holds (a snapshot, log entries) is held by
/// Raft anyway; the encoded copy exists only while it is being sent.</para>
/// <para><b>Reconnect.</b> The first dial is immediate. After a failed attempt the delay doubles from
/// <see cref="PeerTransportOptions.ReconnectInterval"/> up to <see cref="PeerTransportOptions.MaxReconnectInterval"/>;
/// after an authenticated connection ends it restarts at the interval. An incoming connection authenticated as
/// this peer (<see cref="Wake"/>) cuts the wait short: the peer is evidently back.</para>
/// </remarks>
internal sealed class PeerSender
{
    private static readonly TimeSpan MinimumBackoff = TimeSpan.FromMilliseconds(10);

    private readonly WebSocketPeerTransport _transport;
    private readonly Channel<QueuedMessage> _queue;
    private readonly int _batchLimit;
    private readonly int _messageLimit;
    private readonly long _chunkedLimit;
    private readonly int _chunkFrameBytes;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _queuedBytes;
    private long _messagesSent;
    private long _framesSent;
    private long _messagesDropped;
    private long _messagesReceived;
    private long _framesReceived;
    private long _dropsReported;
    private long _nextTransferId;
    private PeerSocket? _authenticated;

    public PeerSender(WebSocketPeerTransport transport, ClusterMember peer)
    {
        _transport = transport;
        Peer = peer;
        var options = transport.Options;
        _queue = Channel.CreateBounded<QueuedMessage>(
            new BoundedChannelOptions(options.SendQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest },
            Dropped);

        // A frame holds a 2-byte header and a count varint besides the messages.
        _messageLimit = options.MaxFrameBytes - 16;
        _batchLimit = Math.Min(options.MaxBatchBytes, _messageLimit);

        // The same slack for a chunked message's count varint; the encoded frame must also fit one array.
        _chunkedLimit = Math.Min(options.MaxMessageBytes, Array.MaxLength - PeerFrame.HeaderLength) - 16;

        // Chunks the size of a batch: the receiver's buffer stays at its steady size (a frame over 1 MiB makes it
        // reallocate), and forwarded requests and replies get a turn on the socket between chunks.
        _chunkFrameBytes = Math.Max(PeerChunk.HeaderLength + 1, Math.Min(options.MaxFrameBytes, options.MaxBatchBytes));
    }

    /// <summary>The peer this sender dials.</summary>
    public ClusterMember Peer { get; }

    public PeerCounters Counters => new(
        Interlocked.Read(ref _messagesSent),
        Interlocked.Read(ref _framesSent),
        Interlocked.Read(ref _messagesDropped),
        Interlocked.Read(ref _messagesReceived),
        Interlocked.Read(ref _framesReceived));

    /// <summary>Queues messages; never blocks (drop-oldest on overflow).</summary>
    public void Enqueue(IReadOnlyList<Message> messages)
    {
        var limit = _transport.Options.MaxQueuedBytes;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var size = RaftMessageCodec.GetFramedSize(message);
            if (size > _chunkedLimit)
            {
                // Beyond what a receiver reassembles (one array): it could never be delivered.
                Interlocked.Increment(ref _messagesDropped);
                ClusterLog.MessageTooLarge(_transport.Logger, Peer.Name, size);
                continue;
            }

            var queued = new QueuedMessage(message, (int)size);
            Interlocked.Add(ref _queuedBytes, Charge(queued));
            _queue.Writer.TryWrite(queued);
            while (Interlocked.Read(ref _queuedBytes) > limit && _queue.Reader.TryRead(out var oldest))
            {
                Dropped(oldest);
            }
        }
    }

    /// <summary>Sends a frame on the authenticated outgoing connection, if there is one; see <see cref="IPeerTransport.SendFrame"/>.</summary>
    public long SendFrame(byte[] frame)
    {
        var socket = Volatile.Read(ref _authenticated);
        if (socket is null || !socket.Post(frame))
        {
            return 0;
        }

        Interlocked.Increment(ref _framesSent);
        return socket.Id;
    }

    /// <summary>Ends the current reconnect wait now.</summary>
    public void Wake() => Volatile.Read(ref _wake).TrySetResult();

    public void CountReceivedFrame() => Interlocked.Increment(ref _framesReceived);

    public void CountReceivedMessage() => Interlocked.Increment(ref _messagesReceived);

    /// <summary>The connection task: dial, authenticate, send and read, redial; until the transport is disposed.</summary>
    public async Task RunAsync()
    {
        var options = _transport.Options;
        var lifetime = _transport.Lifetime;
        var backoff = Max(options.ReconnectInterval, MinimumBackoff);
        while (!lifetime.IsCancellationRequested && !_transport.IsDisposed)
        {
            var authenticated = false;
            try
            {
                authenticated = await ConnectOnceAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // A bug in one attempt must not stop redialling; it is logged.
            catch (Exception e)
#pragma warning restore CA1031
            {
                ClusterLog.LoopFailed(_transport.Logger, Peer.Name, e);
            }

            if (authenticated)
            {
                backoff = Max(options.ReconnectInterval, MinimumBackoff);
            }

            await WaitAsync(backoff, lifetime).ConfigureAwait(false);
            if (!authenticated)
            {
                var ceiling = Max(options.MaxReconnectInterval, options.ReconnectInterval);
                backoff = backoff * 2 > ceiling ? ceiling : backoff * 2;
            }
        }
    }

    /// <summary>One dial. Returns whether the connection authenticated.</summary>
    private async Task<bool> ConnectOnceAsync()
    {
        var options = _transport.Options;
        var time = _transport.Time;
        var started = time.GetTimestamp();
        var address = Peer.PeerUri.ToString();
        var client = new ClientWebSocket();
        client.Options.KeepAliveInterval = options.KeepAliveInterval;
        client.Options.KeepAliveTimeout = options.KeepAliveTimeout;
        options.ConfigureClient?.Invoke(client.Options);
        using (var connectTimeout = new CancellationTokenSource(options.HandshakeTimeout, time))
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(connectTimeout.Token, _transport.Lifetime))
        {
            try
            {
                await client.ConnectAsync(Peer.PeerUri, connect.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException or OperationCanceledException)
            {
                client.Dispose();
                _transport.Lifetime.ThrowIfCancellationRequested();
                ClusterLog.DialFailed(_transport.Logger, Peer.Name, address, e.Message);
                return false;
            }
        }

        var socket = new PeerSocket(client, _transport.NextConnectionId(), address, time, _transport.Lifetime);
        _transport.Track(socket);
        var reason = "closed";
        try
        {
            _transport.Raise(Peer, PeerDirection.Outgoing, PeerConnectionState.Connected, socket);
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(socket.Token))
            {
                var remaining = options.HandshakeTimeout - time.GetElapsedTime(started);
                var deadline = Task.Delay(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, time, handshake.Token);
                try
                {
                    await HandshakeAsync(socket, deadline).ConfigureAwait(false);
                }
                catch (Exception e) when (e is PeerAuthException or PeerProtocolException)
                {
                    reason = e.Message;
                    _transport.HandshakeFailed(Peer, address, reason);
                    await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, reason).ConfigureAwait(false);
                    return false;
                }
                catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
                {
                    _transport.Lifetime.ThrowIfCancellationRequested();
                    reason = "connection lost during the handshake";
                    _transport.HandshakeFailed(Peer, address, reason);
                    return false;
                }

                await handshake.CancelAsync().ConfigureAwait(false);
            }

            Volatile.Write(ref _authenticated, socket);
            _transport.Raise(Peer, PeerDirection.Outgoing, PeerConnectionState.Authenticated, socket);
            reason = await RunConnectedAsync(socket).ConfigureAwait(false);
            return true;
        }
        finally
        {
            if (Interlocked.CompareExchange(ref _authenticated, null, socket) == socket)
            {
                // What was queued for a connection that ended is stale by the time another one exists: Raft's appends
                // are re-sent from the follower's next index (the core is told the peer is unreachable), and old
                // appends could otherwise deliver entries the leader has since compacted away.
                while (_queue.Reader.TryRead(out var stale))
                {
                    Dropped(stale);
                }
            }

            _transport.Raise(Peer, PeerDirection.Outgoing, PeerConnectionState.Disconnected, socket, reason);
            _transport.Untrack(socket);
            await socket.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The client side of SPEC §10.3: check hello, send auth, check auth_ok.</summary>
    private async Task HandshakeAsync(PeerSocket socket, Task deadline)
    {
        var options = _transport.Options;
        var membership = _transport.Membership;
        var hello = HandshakeMessage.Parse(await ReceiveTextAsync(socket, deadline).ConfigureAwait(false), HandshakeKind.Hello);
        if (hello.Protocol != PeerAuth.Protocol)
        {
            throw new PeerAuthException($"protocol {hello.Protocol} differs from {PeerAuth.Protocol}");
        }

        if (!string.Equals(hello.NodeId, Peer.Name, StringComparison.Ordinal))
        {
            throw new PeerAuthException("the URL reached another node");
        }

        if (hello.ClusterId != membership.ClusterId)
        {
            throw new PeerAuthException("cluster id differs");
        }

        var difference = options.Settings.FirstDifference(hello.Settings!);
        var nonce = PeerAuth.NewRandom();
        var key = options.ClusterKey.Span;
        var auth = new HandshakeMessage
        {
            Kind = HandshakeKind.Auth,
            Protocol = PeerAuth.Protocol,
            NodeId = membership.Local.Name,
            ClusterId = membership.ClusterId,
            Nonce = nonce,
            Mac = Convert.ToBase64String(PeerAuth.ClientMac(key, membership.Local.Name, Peer.Name, hello.Challenge, nonce)),
            Settings = options.Settings,
        };
        await socket.SendAsync(auth.ToUtf8(), WebSocketMessageType.Text).ConfigureAwait(false);
        if (difference is { } d)
        {
            // auth went out anyway, so the server can log the same difference from its side (SPEC §10.3).
            _transport.LogSettingDiffers(Peer.Name, d);
            throw new PeerAuthException($"setting {d.Name} differs");
        }

        var authOk = HandshakeMessage.Parse(await ReceiveTextAsync(socket, deadline).ConfigureAwait(false), HandshakeKind.AuthOk);
        var expected = PeerAuth.ServerMac(options.ClusterKey.Span, Peer.Name, membership.Local.Name, hello.Challenge, nonce);
        if (!PeerAuth.Verify(authOk.Mac, expected))
        {
            throw new PeerAuthException("the peer failed to authenticate");
        }
    }

    private async Task<ReadOnlyMemory<byte>> ReceiveTextAsync(PeerSocket socket, Task deadline)
    {
        var message = await socket.ReceiveBeforeAsync(deadline, _transport.Options.Settings.MaxRequestBytes).ConfigureAwait(false);
        return message.Type switch
        {
            WebSocketMessageType.Text => message.Data,
            WebSocketMessageType.Close => throw new PeerAuthException(socket.DescribeClose()),
            _ => throw new PeerAuthException("binary message before authentication"),
        };
    }

    /// <summary>Sends and reads until either side of the connection ends; returns why it ended.</summary>
    private async Task<string> RunConnectedAsync(PeerSocket socket)
    {
        Interlocked.Exchange(ref _dropsReported, Interlocked.Read(ref _messagesDropped));
        var read = _transport.ReadFramesAsync(socket, Peer);
        var send = SendLoopAsync(socket);
        var first = await Task.WhenAny(read, send).ConfigureAwait(false);
        if (first == send && !read.IsCompleted)
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "").ConfigureAwait(false);
        }
        else
        {
            // The read loop may have sent a close (a bad frame): let the peer read it before the abort below.
            await socket.DrainAsync().ConfigureAwait(false);
        }

        socket.Abort();
        var readReason = await read.ConfigureAwait(false);
        var sendReason = await send.ConfigureAwait(false);
        return first == read ? readReason : sendReason;
    }

    private async Task<string> SendLoopAsync(PeerSocket socket)
    {
        var reader = _queue.Reader;
        var batch = new List<Message>();
        try
        {
            while (await reader.WaitToReadAsync(socket.Token).ConfigureAwait(false))
            {
                batch.Clear();
                long bytes = 0;
                while (reader.TryPeek(out var next) && (batch.Count == 0 || bytes + next.Size <= _batchLimit) && reader.TryRead(out var item))
                {
                    Interlocked.Add(ref _queuedBytes, -Charge(item));
                    batch.Add(item.Message);
                    bytes += item.Size;
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                var messages = CollectionsMarshal.AsSpan(batch);
                var frameSize = RaftMessageCodec.GetFrameSize(messages);
                if (frameSize > _transport.Options.MaxFrameBytes)
                {
                    // Only a message alone gets here: a batch of several stays within the batch limit.
                    await SendChunkedAsync(socket, EncodeUnpooled(messages, frameSize)).ConfigureAwait(false);
                    Interlocked.Add(ref _messagesSent, batch.Count);
                    ReportDrops();
                    continue;
                }

                var buffer = ArrayPool<byte>.Shared.Rent((int)frameSize);
                try
                {
                    var written = RaftMessageCodec.WriteFrame(messages, buffer);
                    await socket.SendAsync(buffer.AsMemory(0, written), WebSocketMessageType.Binary).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                Interlocked.Add(ref _messagesSent, batch.Count);
                Interlocked.Increment(ref _framesSent);
                ReportDrops();
            }

            return "closed";
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            return _transport.IsDisposed ? "node shutting down" : "connection lost";
        }
    }

    /// <summary>Sends the RaftBatch payload of <paramref name="frame"/> (a whole encoded frame) as consecutive chunk frames.</summary>
    private async Task SendChunkedAsync(PeerSocket socket, byte[] frame)
    {
        var transferId = (ulong)Interlocked.Increment(ref _nextTransferId);
        var total = frame.Length - PeerFrame.HeaderLength;
        var pieceLimit = _chunkFrameBytes - PeerChunk.HeaderLength;
        var chunk = ArrayPool<byte>.Shared.Rent(_chunkFrameBytes);
        try
        {
            for (var offset = 0; offset < total;)
            {
                var piece = Math.Min(pieceLimit, total - offset);
                var written = PeerChunk.WriteFrame(chunk, transferId, total, offset, frame.AsSpan(PeerFrame.HeaderLength + offset, piece));
                await socket.SendAsync(chunk.AsMemory(0, written), WebSocketMessageType.Binary).ConfigureAwait(false);
                Interlocked.Increment(ref _framesSent);
                offset += piece;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Encodes a frame too large for one peer frame into a new array, not a pooled one: the pool would keep
    /// an array of up to 2 GiB alive after the send.</summary>
    private static byte[] EncodeUnpooled(ReadOnlySpan<Message> messages, long frameSize)
    {
        var frame = GC.AllocateUninitializedArray<byte>((int)frameSize);
        var written = RaftMessageCodec.WriteFrame(messages, frame);
        return written == frame.Length ? frame : throw new InvalidOperationException("Frame size mismatch.");
    }

    /// <summary>What a queued message counts against <see cref="PeerTransportOptions.MaxQueuedBytes"/>: nothing for one
    /// that will be chunked (see the remarks on the class).</summary>
    private long Charge(QueuedMessage message) => message.Size > _messageLimit ? 0 : message.Size;

    /// <summary>Warns about queue overflow while connected (a slow peer), at most once per 10 s; drops while
    /// disconnected are expected and only counted.</summary>
    private void ReportDrops()
    {
        var dropped = Interlocked.Read(ref _messagesDropped);
        var reported = Interlocked.Read(ref _dropsReported);
        if (dropped > reported && _transport.AllowLog("overflow\n" + Peer.Name))
        {
            Interlocked.Exchange(ref _dropsReported, dropped);
            ClusterLog.QueueOverflow(_transport.Logger, Peer.Name, dropped - reported);
        }
    }

    private void Dropped(QueuedMessage message)
    {
        Interlocked.Add(ref _queuedBytes, -Charge(message));
        Interlocked.Increment(ref _messagesDropped);
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken lifetime)
    {
        var wake = Volatile.Read(ref _wake);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        var timer = Task.Delay(delay, _transport.Time, cancel.Token);
        await Task.WhenAny(timer, wake.Task).ConfigureAwait(false);
        await cancel.CancelAsync().ConfigureAwait(false);
        if (wake.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), wake);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
