using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace AntiEtcd.Server.Tests;

/// <summary>A tiny test client for one WebSocket: send text, receive whole messages with a deadline.</summary>
public sealed class WsClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    public static async Task<WsClient> ConnectAsync(AntiEtcdServer server, string path = "/v3/watch", IReadOnlyDictionary<string, string>? headers = null)
    {
        var client = new WsClient();
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            client._socket.Options.SetRequestHeader(name, value);
        }

        await client._socket.ConnectAsync(new Uri($"ws://127.0.0.1:{server.LocalPort}{path}"), TestContext.Current.CancellationToken);
        return client;
    }

    public Task SendAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    public Task SendBytesAsync(byte[] bytes, bool binary = false) =>
        _socket.SendAsync(bytes, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    /// <summary>The next message, or null when the server closed the connection.</summary>
    public async Task<string?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        var message = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer.AsSpan(0, result.Count));
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.WrittenSpan);
            }
        }
    }

    /// <summary>True if no message arrives within a short quiet period (used to show nothing was sent).</summary>
    public async Task<bool> IsQuietAsync(TimeSpan period)
    {
        try
        {
            var message = await ReceiveAsync(period);
            return message is null;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }

        _socket.Dispose();
    }
}
