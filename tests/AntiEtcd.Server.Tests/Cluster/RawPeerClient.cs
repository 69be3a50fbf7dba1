using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AntiEtcd.Raft;
using AntiEtcd.Server.Cluster;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>A hand-driven peer connection, to play a misbehaving or impersonating node against a listener.</summary>
public sealed class RawPeerClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    public JsonElement Hello { get; private set; }

    public string Challenge => Hello.GetProperty("hello").GetProperty("challenge").GetString()!;

    public string ServerNodeId => Hello.GetProperty("hello").GetProperty("node_id").GetString()!;

    public static async Task<RawPeerClient> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var client = new RawPeerClient();
        await client._socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}{ClusterMembership.PeerPath}"), cancellationToken);
        var (type, data) = await client.ReceiveAsync(cancellationToken);
        Assert.Equal(WebSocketMessageType.Text, type);
        client.Hello = JsonDocument.Parse(data).RootElement.Clone();
        return client;
    }

    /// <summary>Sends an auth message; every part can be falsified.</summary>
    public Task SendAuthAsync(string nodeId, string key, CancellationToken cancellationToken, ulong? clusterId = null, int protocol = 1,
        string? settingsJson = null, string? mac = null)
    {
        var nonce = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        mac ??= Convert.ToBase64String(PeerAuth.ClientMac(Encoding.UTF8.GetBytes(key), nodeId, ServerNodeId, Challenge, nonce));
        Nonce = nonce;
        var helloBody = Hello.GetProperty("hello");
        var cluster = clusterId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? helloBody.GetProperty("cluster_id").GetString();
        settingsJson ??= helloBody.GetProperty("settings").GetRawText();
        var json = "{\"auth\":{\"protocol\":" + protocol + ",\"node_id\":\"" + nodeId + "\",\"cluster_id\":\"" + cluster
            + "\",\"nonce\":\"" + nonce + "\",\"mac\":\"" + mac + "\",\"settings\":" + settingsJson + "}}";
        return SendTextAsync(json, cancellationToken);
    }

    public string Nonce { get; private set; } = "";

    /// <summary>Authenticates as <paramref name="nodeId"/> and checks the server's M2.</summary>
    public async Task AuthenticateAsync(string nodeId, string key, CancellationToken cancellationToken)
    {
        await SendAuthAsync(nodeId, key, cancellationToken);
        var (type, data) = await ReceiveAsync(cancellationToken);
        Assert.Equal(WebSocketMessageType.Text, type);
        var mac = JsonDocument.Parse(data).RootElement.GetProperty("auth_ok").GetProperty("mac").GetString();
        var expected = PeerAuth.ServerMac(Encoding.UTF8.GetBytes(key), ServerNodeId, nodeId, Challenge, Nonce);
        Assert.Equal(Convert.ToBase64String(expected), mac);
    }

    public Task SendTextAsync(string text, CancellationToken cancellationToken) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken);

    public Task SendBinaryAsync(byte[] frame, CancellationToken cancellationToken) =>
        _socket.SendAsync(frame, WebSocketMessageType.Binary, true, cancellationToken);

    internal Task SendRaftAsync(Message[] messages, CancellationToken cancellationToken) =>
        SendBinaryAsync(RaftMessageCodec.EncodeFrame(messages), cancellationToken);

    /// <summary>Reads until the server closes; returns its close code.</summary>
    public async Task<WebSocketCloseStatus?> WaitForCloseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (type, _) = await ReceiveAsync(cancellationToken);
            if (type == WebSocketMessageType.Close)
            {
                return _socket.CloseStatus;
            }
        }
    }

    public string? CloseDescription => _socket.CloseStatusDescription;

    public async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        var length = 0;
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
            length += result.Count;
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, buffer[..length]);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
