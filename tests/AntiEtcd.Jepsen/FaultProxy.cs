using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace AntiEtcd.Jepsen;

/// <summary>
/// A TCP proxy for one directed peer link: node <see cref="From"/> dials <see cref="To"/> through it.
/// Partitions are built by switching links to <see cref="ProxyMode.Drop"/>.
/// </summary>
/// <remarks>
/// <para>
/// Why a proxy: it needs no root, no network namespaces and no iptables, so the suite runs on any CI
/// machine and only ever touches our own processes. The price: a dropped link is seen as a reset
/// connection (fast failure), not as silently lost packets; packets in flight are not reordered.
/// A "one-way" partition blocks the connections A opens to B; the connection B opened to A still
/// carries traffic both ways (TCP is bidirectional), which is what "A cannot reach B" means for a
/// transport where each side dials its own outgoing link.
/// </para>
/// <para>Thread-safety: <see cref="SetMode"/> and <see cref="Delay"/> may be called from any thread.</para>
/// </remarks>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int ChunkSize = 16 * 1024;
    private readonly TcpListener _listener;
    private readonly ConcurrentDictionary<long, ProxiedConnection> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _acceptLoop;
    private long _nextConnection;
    private long _bytesForwarded;
    private long _connectionsRefused;
    private long _delayTicks;
    private volatile ProxyMode _mode = ProxyMode.Pass;

    /// <summary>Creates a proxy listening on a free loopback port; call <see cref="Start"/>.</summary>
    /// <param name="from">The dialing node's id.</param>
    /// <param name="to">The dialed node's id.</param>
    /// <param name="targetPort">The dialed node's real port on 127.0.0.1.</param>
    public FaultProxy(string from, string to, int targetPort)
    {
        From = from;
        To = to;
        TargetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
    }

    /// <summary>The dialing node.</summary>
    public string From { get; }

    /// <summary>The dialed node.</summary>
    public string To { get; }

    /// <summary>The real port of <see cref="To"/>.</summary>
    public int TargetPort { get; }

    /// <summary>The port <see cref="From"/> dials; valid after <see cref="Start"/>.</summary>
    public int ListenPort { get; private set; }

    /// <summary>The current mode.</summary>
    public ProxyMode Mode => _mode;

    /// <summary>Added latency before forwarding each chunk read (either direction); zero by default.</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    /// <summary>Bytes forwarded so far, both directions.</summary>
    public long BytesForwarded => Interlocked.Read(ref _bytesForwarded);

    /// <summary>Connections reset on accept because the link was dropped.</summary>
    public long ConnectionsRefused => Interlocked.Read(ref _connectionsRefused);

    /// <summary>Connections currently open through the proxy.</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Binds the listener and starts accepting.</summary>
    public void Start()
    {
        _listener.Start();
        ListenPort = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    /// <summary>
    /// Switches the mode. <see cref="ProxyMode.Drop"/> resets every open connection of the link at once,
    /// so a partition takes effect immediately rather than when the next connection is made.
    /// </summary>
    public void SetMode(ProxyMode mode)
    {
        _mode = mode;
        if (mode == ProxyMode.Drop)
        {
            foreach (var connection in _connections.Values)
            {
                connection.Abort();
            }
        }
    }

    /// <summary>Stops accepting and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var connection in _connections.Values)
        {
            connection.Abort();
        }

        if (_acceptLoop is not null)
        {
            try
            {
                await _acceptLoop;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        foreach (var connection in _connections.Values)
        {
            await connection.Completion;
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            if (_mode == ProxyMode.Drop)
            {
                Interlocked.Increment(ref _connectionsRefused);
                Reset(client);
                continue;
            }

            long id = Interlocked.Increment(ref _nextConnection);
            var connection = new ProxiedConnection(client);
            _connections[id] = connection;
            connection.Completion = RunConnectionAsync(id, connection, cancellationToken);
        }
    }

    private async Task RunConnectionAsync(long id, ProxiedConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.Aborted.Token);
            try
            {
                await connection.Upstream.ConnectAsync(new IPEndPoint(IPAddress.Loopback, TargetPort), linked.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Target down (killed node): the dialer sees its connection reset, as it would without us.
                connection.Abort();
                return;
            }

            var up = PumpAsync(connection.Client, connection.Upstream, connection, linked.Token);
            var down = PumpAsync(connection.Upstream, connection.Client, connection, linked.Token);
            await Task.WhenAny(up, down);
            connection.Abort();
            await Task.WhenAll(up, down);
        }
        finally
        {
            _connections.TryRemove(id, out _);
            connection.Dispose();
        }
    }

    private async Task PumpAsync(Socket source, Socket target, ProxiedConnection connection, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkSize];
        try
        {
            while (true)
            {
                int read = await source.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    target.Shutdown(SocketShutdown.Send);
                    return;
                }

                var delay = Delay;
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, cancellationToken);
                }

                if (_mode == ProxyMode.Drop)
                {
                    connection.Abort();
                    return;
                }

                // Counted before the send: once the other side can see the bytes, the count includes them
                // (counted after, a reader that just received them could still see the old count).
                Interlocked.Add(ref _bytesForwarded, read);
                int sent = 0;
                while (sent < read)
                {
                    sent += await target.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away or the link was dropped: the other pump is aborted by the caller.
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            // Linger 0: close sends RST, so the dialer fails at once instead of waiting for a FIN handshake.
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }

    private sealed class ProxiedConnection : IDisposable
    {
        private int _aborted;

        public ProxiedConnection(Socket client)
        {
            Client = client;
            Upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
        }

        public Socket Client { get; }

        public Socket Upstream { get; }

        public CancellationTokenSource Aborted { get; } = new();

        public Task Completion { get; set; } = Task.CompletedTask;

        public void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) != 0)
            {
                return;
            }

            try
            {
                Aborted.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Already finished.
            }

            Reset(Client);
            Reset(Upstream);
        }

        public void Dispose()
        {
            Abort();
            Aborted.Dispose();
            Client.Dispose();
            Upstream.Dispose();
        }
    }
}
