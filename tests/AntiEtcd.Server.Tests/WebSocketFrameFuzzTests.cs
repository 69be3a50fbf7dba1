using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AntiEtcd.Server.Tests;

/// <summary>
/// Malformed WebSocket frames at the protocol level (issue 5 item 4): after a real upgrade, raw
/// frame bytes that break RFC 6455 in many ways (reserved bits and opcodes, unmasked client
/// frames, bad lengths, fragmented or oversized control frames, random garbage). The connection may
/// be closed; the server must keep serving every other client.
/// </summary>
public sealed class WebSocketFrameFuzzTests
{
    [Fact]
    public async Task Bad_frames_never_take_the_server_down()
    {
        await using var node = await RunningServer.StartAsync();
        await using var watcher = await WsClient.ConnectAsync(node.Server);
        await watcher.SendAsync("{\"create_request\":{\"key\":\"Y2FuYXJ5\"}}");
        Assert.Contains("\"created\":true", await watcher.ReceiveAsync(), StringComparison.Ordinal);

        var random = new Random(6455);
        var cases = new List<byte[]>
        {
            Frame(0x81, masked: false, "{}"u8.ToArray()),              // client frame without a mask
            Frame(0xF1, masked: true, "{}"u8.ToArray()),               // reserved bits set
            Frame(0x83, masked: true, "{}"u8.ToArray()),               // reserved opcode 3
            Frame(0x09, masked: true, new byte[200]),                  // fragmented ping with a 200-byte payload
            Frame(0x88, masked: true, new byte[] { 0x03 }),            // close with a 1-byte payload
            Frame(0x01, masked: true, "{\"create"u8.ToArray()),        // text fragment ...
            new byte[] { 0x81, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4 }, // 2^63-1 byte length
            new byte[] { 0x81, 0xFE, 0x00, 0x01, 1, 2, 3, 4, 0x00 },               // non-minimal 16-bit length
        };
        for (var i = 0; i < 60; i++)
        {
            var garbage = new byte[random.Next(1, 64)];
            random.NextBytes(garbage);
            cases.Add(garbage);
        }

        // Concurrently: a server that simply waits for more bytes leaves a case quiet until its
        // short read deadline, which is as acceptable as a close.
        await Task.WhenAll(cases.Select(frame => SendAfterUpgradeAsync(node.Server.LocalPort, frame)));

        // Everyone else is unharmed: the earlier watcher still gets its event and HTTP still works.
        await node.Server.PutAsync("canary", "1", TestContext.Current.CancellationToken);
        Assert.Contains("\"events\"", await watcher.ReceiveAsync(), StringComparison.Ordinal);
        using var health = await node.Http.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static async Task SendAfterUpgradeAsync(int port, byte[] frame)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        var upgrade = $"GET /v3/watch HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(upgrade), SocketFlags.None, TestContext.Current.CancellationToken);
        var buffer = new byte[1024];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        Assert.StartsWith("HTTP/1.1 101", Encoding.ASCII.GetString(buffer, 0, received), StringComparison.Ordinal);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await socket.SendAsync(frame, SocketFlags.None, timeout.Token);
            // Read until the server closes or goes quiet; either is fine.
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
        }
    }

    private static byte[] Frame(byte first, bool masked, byte[] payload)
    {
        var frame = new List<byte> { first, (byte)((masked ? 0x80 : 0) | Math.Min(payload.Length, 125)) };
        if (payload.Length > 125)
        {
            frame[1] = (byte)((masked ? 0x80 : 0) | 126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }

        if (masked)
        {
            frame.AddRange([0, 0, 0, 0]); // a zero mask leaves the payload as is
        }

        frame.AddRange(payload);
        return [.. frame];
    }
}
