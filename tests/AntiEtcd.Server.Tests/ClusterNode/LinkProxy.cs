using System.Net;
using System.Net.Sockets;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>
/// A directed peer link through a loopback TCP proxy: node A names node B at this proxy's port, so cutting it cuts
/// A's outgoing connection to B (and the replies that come back on it) without touching B's other links.
/// </summary>
public sealed class LinkProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly List<TcpClient> _open = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _cut;
    private volatile TaskCompletionSource? _held;

    public LinkProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Resets every proxied connection and refuses new ones until <see cref="Heal"/>.</summary>
    public void Cut()
    {
        _cut = true;
        lock (_lock)
        {
            foreach (var client in _open)
            {
                client.Client?.Close(0);
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public void Heal() => _cut = false;

    /// <summary>
    /// Stops forwarding without closing anything, both ways: bytes wait in the proxy and in the senders' sockets, as
    /// with a process stopped by SIGSTOP. <see cref="Release"/> delivers them in order.
    /// </summary>
    public void Hold() => _held ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Forwards again, what waited first.</summary>
    public void Release()
    {
        var held = _held;
        _held = null;
        held?.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            if (_cut)
            {
                inbound.Client.Close(0);
                inbound.Dispose();
                continue;
            }

            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (SocketException)
            {
                // The target is down: so is the link.
                inbound.Client.Close(0);
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            lock (_lock)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                var read = await from.GetStream().ReadAsync(buffer, _stop.Token);
                if (read == 0 || _cut)
                {
                    break;
                }

                if (_held is { } held)
                {
                    await held.Task.WaitAsync(_stop.Token);
                    if (_cut)
                    {
                        break;
                    }
                }

                await to.GetStream().WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // Cut by the test or closed by a side.
        }
        finally
        {
            from.Client?.Close(0);
            to.Client?.Close(0);
            from.Dispose();
            to.Dispose();
        }
    }
}
