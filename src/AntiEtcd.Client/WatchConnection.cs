using System.Buffers;
using System.Net.WebSockets;

namespace AntiEtcd.Client;

/// <summary>
/// One WebSocket watch stream on <c>/v3/watch</c> (SPEC §7): send client messages, receive server
/// messages one whole JSON object at a time. No resumption; see <see cref="ResumableWatch"/> for that.
/// </summary>
/// <remarks>
/// Thread-safety: one sender and one receiver may run at the same time; not two of either.
/// The server's pings are answered by the WebSocket itself.
/// </remarks>
public sealed class WatchConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    private WatchConnection(ClientWebSocket socket, Uri url)
    {
        _socket = socket;
        Url = url;
    }

    /// <summary>The <c>ws://</c> or <c>wss://</c> URL of the stream.</summary>
    public Uri Url { get; }

    /// <summary>Why the server closed the stream (e.g. 1001 on stop, 1013 when too slow), once it has.</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>The close reason the server gave, once it has.</summary>
    public string? CloseStatusDescription => _socket.CloseStatusDescription;

    /// <summary>Opens a watch stream on <paramref name="endpoint"/> with the client's TLS settings and timeout.</summary>
    /// <param name="client">Gives the TLS settings and the connect timeout.</param>
    /// <param name="endpoint">An <c>http(s)://</c> endpoint; the stream uses <c>ws(s)://</c> on the same host and port.</param>
    /// <param name="cancellationToken">Stops connecting.</param>
    /// <exception cref="AntiEtcdClientException">The connection could not be made (the error's status is 0).</exception>
    public static async Task<WatchConnection> ConnectAsync(AntiEtcdClient client, Uri endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(endpoint);
        var normalized = AntiEtcdClient.NormalizeEndpoint(endpoint);
        var url = new Uri((normalized.Scheme == Uri.UriSchemeHttps ? "wss" : "ws") + normalized.OriginalString[normalized.Scheme.Length..] + "/v3/watch");
        var socket = new ClientWebSocket();
        client.ConfigureWebSocket(socket.Options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(client.Options.Timeout);
        try
        {
            await socket.ConnectAsync(url, timeout.Token).ConfigureAwait(false);
            return new WatchConnection(socket, url);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            var message = $"connect timed out after {(long)client.Options.Timeout.TotalMilliseconds} ms";
            throw new AntiEtcdClientException([new EndpointError(url, 0, 0, message, false)]);
        }
        catch (WebSocketException ex)
        {
            socket.Dispose();
            throw new AntiEtcdClientException([new EndpointError(url, 0, 0, AntiEtcdClient.Describe(ex), false)]);
        }
    }

    /// <summary>Sends one client message (one JSON object) as one text frame.</summary>
    /// <param name="message">The UTF-8 JSON.</param>
    /// <param name="cancellationToken">Aborts the send (and then the connection).</param>
    public async Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Receives the next server message, joined from its frames, or null when the server closed the
    /// stream. The returned array belongs to the caller.
    /// </summary>
    /// <param name="cancellationToken">Aborts the receive (and then the connection).</param>
    /// <exception cref="WebSocketException">The connection broke.</exception>
    public async Task<byte[]?> ReceiveAsync(CancellationToken cancellationToken)
    {
        _buffer.ResetWrittenCount();
        while (true)
        {
            var result = await _socket.ReceiveAsync(_buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            _buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return _buffer.WrittenSpan.ToArray();
            }
        }
    }

    /// <summary>Closes the stream politely when it is still open, then releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Already broken: nothing to close politely.
            }
        }

        _socket.Dispose();
    }
}
