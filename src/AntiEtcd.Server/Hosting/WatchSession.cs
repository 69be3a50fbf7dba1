using System.Buffers;
using System.Net.WebSockets;
using AntiEtcd.Api;
using AntiEtcd.Api.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Hosting;

/// <summary>
/// One client WebSocket: a watch stream (SPEC §7) or, on <c>/v3/lease/keepalive</c>, a keepalive
/// stream (SPEC §7.6). Client messages are handled strictly in arrival order; watch messages are
/// sent by a separate sender so that existing watches keep flowing while a create waits.
/// </summary>
internal sealed class WatchSession : IAsyncDisposable
{
    private const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;
    private readonly AntiEtcdServer _server;
    private readonly HttpContext _context;
    private readonly RequestFlags _flags;
    private readonly CancellationTokenSource _closing;
    private readonly ILogger _watchLog;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private WebSocket? _socket;
    private SocketWatchStream? _stream;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string _closeReason = "";

    private readonly RequestContext _requestContext;

    public WatchSession(AntiEtcdServer server, HttpContext context, RequestFlags flags, RequestContext requestContext)
    {
        _server = server;
        _requestContext = requestContext;
        _context = context;
        _flags = flags;
        _closing = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        _watchLog = server.LoggerFactory.CreateLogger("AntiEtcd.Watch");
    }

    /// <summary>Accepts the upgrade and serves the connection until either side closes it.</summary>
    public async Task RunAsync(bool keepalive)
    {
        var interval = _server.Options.WsKeepaliveInterval;
        _socket = await _context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            DangerousEnableCompression = false,
            KeepAliveInterval = interval > 0 ? TimeSpan.FromMilliseconds(interval) : TimeSpan.Zero,
            KeepAliveTimeout = interval > 0 ? TimeSpan.FromMilliseconds(interval) : Timeout.InfiniteTimeSpan,
        }).ConfigureAwait(false);
        _server.Sessions.TryAdd(this, 0);
        try
        {
            if (keepalive)
            {
                await RunKeepAliveAsync(_socket).ConfigureAwait(false);
            }
            else
            {
                await RunWatchAsync(_socket).ConfigureAwait(false);
            }
        }
        finally
        {
            _server.Sessions.TryRemove(this, out _);
        }
    }

    /// <summary>
    /// Starts a close from the server's side (1001 when the server stops, 1013 for a slow client,
    /// 1009 for an oversized message): sends the close frame; the receive loop ends when the
    /// client answers it. Cancelling a receive would abort the socket and lose the close code.
    /// </summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        _closeStatus = status;
        _closeReason = reason;
        _stream?.Close();
        var socket = _socket;
        if (socket is null)
        {
            return;
        }

        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(status, reason, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            socket.Abort();
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        // _sendLock is not disposed: a concurrent CloseAsync from the server's stop may still
        // wait on it, and a SemaphoreSlim without a wait handle holds nothing to release.
        _closing.Dispose();
        _socket?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task SendLockedAsync(WebSocket socket, ReadOnlyMemory<byte> message)
    {
        await _sendLock.WaitAsync(_closing.Token).ConfigureAwait(false);
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, true, _closing.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task RunWatchAsync(WebSocket socket)
    {
        var stream = new SocketWatchStream(_server.Options.MaxRequestBytes);
        _stream = stream;
        var sender = SendAsync(socket, stream);
        try
        {
            while (await ReceiveAsync(socket).ConfigureAwait(false) is { } message)
            {
                using (message)
                {
                    await HandleWatchMessageAsync(stream, message.Memory).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (WebSocketException)
        {
            // The client vanished; nothing to answer.
        }
        finally
        {
            stream.Close();
            await _server.CloseWatchStreamAsync(stream).ConfigureAwait(false);
            await sender.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await CloseSocketAsync(socket).ConfigureAwait(false);
        }
    }

    /// <summary>The <c>access</c> log line of an incoming client message, on a watch or a keepalive stream (SPEC §11.5).</summary>
    private void LogIncoming(ReadOnlyMemory<byte> text)
    {
        if (_server.Options.Logs.HasFlag(AntiEtcdLogs.Access))
        {
            var line = AccessLog.MessageLine(_server.Time, _context, incoming: true, text.Span);
            Log.Access(_watchLog, line);
        }
    }

    private async Task HandleWatchMessageAsync(SocketWatchStream stream, ReadOnlyMemory<byte> text)
    {
        LogIncoming(text);
        var request = ApiJsonReader.ReadWatchRequest(text.Span);
        switch (request.Error)
        {
            case WatchMessageError.BadJson:
                stream.EnqueueRaw(ApiJsonWriter.WatchBadJson.ToArray());
                return;
            case WatchMessageError.EmptyMessage:
                stream.EnqueueRaw(ApiJsonWriter.WatchEmptyMessage.ToArray());
                return;
        }

        // Several fields in one object are handled in the order create, cancel, progress (SPEC §7.2).
        if (request.CreateRequestError is { } decodeError)
        {
            await _server.FailWatchCreateAsync(stream, decodeError, _closing.Token).ConfigureAwait(false);
        }
        else if (request.CreateRequest is { } create)
        {
            await _server.CreateWatchOnStreamAsync(stream, create, _flags, _closing.Token).ConfigureAwait(false);
        }

        if (request.CancelRequest is { } cancel)
        {
            await _server.CancelWatchOnStreamAsync(stream, cancel.WatchId, _closing.Token).ConfigureAwait(false);
        }

        if (request.ProgressRequest)
        {
            await _server.RequestProgressOnStreamAsync(stream, _closing.Token).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(WebSocket socket, SocketWatchStream stream)
    {
        using var buffer = new PooledBufferWriter();
        try
        {
            while (await stream.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                while (stream.TryRead(out var message, out var raw, out var bytes))
                {
                    buffer.Clear();
                    if (message is not null)
                    {
                        message = _server.FilterWatchMessage(_requestContext, message);
                        if (message is null)
                        {
                            // Dropped by the auth filter (SPEC §10.6).
                            stream.Sent(bytes);
                            continue;
                        }

                        using var writer = ApiJsonWriter.CreateWriter(buffer);
                        ApiJsonWriter.WriteWatchResult(writer, message);
                    }
                    else
                    {
                        buffer.Write(raw);
                    }

                    if (_server.Options.Logs.HasFlag(AntiEtcdLogs.Watch))
                    {
                        var line = AccessLog.MessageLine(_server.Time, _context, incoming: false, buffer.WrittenSpan);
                        Log.Access(_watchLog, line);
                    }

                    await SendLockedAsync(socket, buffer.WrittenMemory).ConfigureAwait(false);
                    stream.Sent(bytes);
                    if (stream.TooSlow)
                    {
                        break;
                    }
                }

                if (stream.TooSlow)
                {
                    break;
                }

                // A step may queue nothing (no event of that stretch of history matches the watch): take the next
                // step at once, since nothing else would wake this loop and the watch would stall (SPEC §7.4).
                while (stream.HasReplaying && stream.IsDrained && !stream.IsClosed)
                {
                    await _server.ReplayWatchStreamAsync(stream, _closing.Token).ConfigureAwait(false);
                }
            }

            if (stream.TooSlow)
            {
                Log.WatchTooSlow(_watchLog, _context.Connection.RemoteIpAddress?.ToString());
                await CloseAsync(TryAgainLater, "watch stream too slow").ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Closed or aborted: the receive loop ends the session.
        }
    }

    private async Task RunKeepAliveAsync(WebSocket socket)
    {
        var output = new PooledBufferWriter();
        try
        {
            while (await ReceiveAsync(socket).ConfigureAwait(false) is { } message)
            {
                using (message)
                {
                    LogIncoming(message.Memory);
                    output.Clear();
                    try
                    {
                        var reply = await _server.InvokeAsync(ApiKind.LeaseKeepAlive, message.Memory, _flags, _requestContext, _closing.Token).ConfigureAwait(false);
                        using var writer = ApiJsonWriter.CreateWriter(output);
                        ApiReplyWriter.Write(writer, ApiKind.LeaseKeepAlive, reply);
                    }
                    catch (AntiEtcdRequestException ex)
                    {
                        using var writer = ApiJsonWriter.CreateWriter(output);
                        ApiJsonWriter.WriteError(writer, ex.Message, ex.GrpcCode);
                    }

                    await SendLockedAsync(socket, output.WrittenMemory).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
        finally
        {
            output.Dispose();
            await CloseSocketAsync(socket).ConfigureAwait(false);
        }
    }

    /// <summary>Reads one whole message, or null when the client closed; over the size limit closes with 1009.</summary>
    private async Task<Message?> ReceiveAsync(WebSocket socket)
    {
        var limit = _server.Options.MaxRequestBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit, 16 * 1024) + 1);
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, (long)limit + 1));
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }

            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), _closing.Token).ConfigureAwait(false);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return null;
            }

            length += result.Count;
            if (length > limit)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                _closeStatus = WebSocketCloseStatus.MessageTooBig;
                _closeReason = "message too big";
                return null;
            }

            if (result.EndOfMessage)
            {
                return new Message(buffer, length);
            }
        }
    }

    private async Task CloseSocketAsync(WebSocket socket)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived or WebSocketState.CloseSent))
        {
            return;
        }

        await _sendLock.WaitAsync().ConfigureAwait(false);
        _sendLock.Release();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.CloseAsync(_closeStatus, _closeReason, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            socket.Abort();
        }
    }

    /// <summary>A received message in a pooled buffer.</summary>
    private sealed class Message(byte[] buffer, int length) : IDisposable
    {
        public ReadOnlyMemory<byte> Memory => buffer.AsMemory(0, length);

        public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
    }
}
