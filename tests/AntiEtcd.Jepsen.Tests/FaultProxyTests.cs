using System.Net;
using System.Net.Sockets;

namespace AntiEtcd.Jepsen.Tests;

/// <summary>The link proxy forwards bytes, drops a link at once (open and new connections) and heals.</summary>
public sealed class FaultProxyTests
{
    [Fact]
    public async Task PassesBytesBothWays()
    {
        var ct = TestContext.Current.CancellationToken;
        using var echo = new EchoServer();
        await using var proxy = new FaultProxy("a", "b", echo.Port);
        proxy.Start();
        using var client = await ConnectAsync(proxy.ListenPort, ct);
        Assert.Equal("hello", await RoundTripAsync(client, "hello", ct));
        Assert.True(proxy.BytesForwarded >= 10);
    }

    [Fact]
    public async Task DropResetsOpenConnectionsAndRefusesNewOnesUntilHealed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var echo = new EchoServer();
        await using var proxy = new FaultProxy("a", "b", echo.Port);
        proxy.Start();
        using var open = await ConnectAsync(proxy.ListenPort, ct);
        Assert.Equal("x", await RoundTripAsync(open, "x", ct));

        proxy.SetMode(ProxyMode.Drop);
        Assert.True(await IsBrokenAsync(open, ct), "the open connection survived the drop");
        Assert.True(await NewConnectionIsBrokenAsync(proxy.ListenPort, ct), "a new connection got through a dropped link");
        Assert.True(proxy.ConnectionsRefused >= 1);

        proxy.SetMode(ProxyMode.Pass);
        using var healed = await ConnectAsync(proxy.ListenPort, ct);
        Assert.Equal("again", await RoundTripAsync(healed, "again", ct));
    }

    [Fact]
    public async Task DelayedLinkStillDeliversInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        using var echo = new EchoServer();
        await using var proxy = new FaultProxy("a", "b", echo.Port) { Delay = TimeSpan.FromMilliseconds(20) };
        proxy.Start();
        using var client = await ConnectAsync(proxy.ListenPort, ct);
        Assert.Equal("one", await RoundTripAsync(client, "one", ct));
        Assert.Equal("two", await RoundTripAsync(client, "two", ct));
    }

    // The proxy resets a new connection as soon as it accepts it: the reset may even beat the connect's completion.
    private static async Task<bool> NewConnectionIsBrokenAsync(int port, CancellationToken ct)
    {
        Socket socket;
        try
        {
            socket = await ConnectAsync(port, ct);
        }
        catch (SocketException)
        {
            return true;
        }

        using (socket)
        {
            return await IsBrokenAsync(socket, ct);
        }
    }

    private static async Task<Socket> ConnectAsync(int port, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
        return socket;
    }

    private static async Task<string> RoundTripAsync(Socket socket, string text, CancellationToken ct)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        await socket.SendAsync(bytes, SocketFlags.None, ct);
        var buffer = new byte[bytes.Length];
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, ct);
            Assert.NotEqual(0, n);
            read += n;
        }

        return System.Text.Encoding.ASCII.GetString(buffer);
    }

    // Broken = the peer reset or closed it: a receive ends with 0 bytes or an error (bounded by 10 s).
    private static async Task<bool> IsBrokenAsync(Socket socket, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await socket.SendAsync("ping"u8.ToArray(), SocketFlags.None, timeout.Token);
            var buffer = new byte[16];
            return await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
