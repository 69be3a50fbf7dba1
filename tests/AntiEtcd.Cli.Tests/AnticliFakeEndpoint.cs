using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AntiEtcd.Cli.Tests;

/// <summary>
/// A stand-in endpoint for the failures one real node cannot produce on demand: 502, 503 with either
/// retry-safety suffix, or no answer at all. It reads each request fully, counts it, and answers
/// (or hangs) as configured.
/// </summary>
public sealed class AnticliFakeEndpoint : IAsyncDisposable
{
    public const string NotExecuted = "etcdserver: no leader (request not executed, safe to retry)";
    public const string OutcomeUnknown = "etcdserver: request timed out (outcome unknown, the request may have been applied)";

    private readonly TcpListener _listener;
    private readonly int _status;
    private readonly string? _message;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _requests;

    private AnticliFakeEndpoint(int status, string? message)
    {
        _status = status;
        _message = message;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Requests whose body was received in full.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Answers every request with <paramref name="status"/> and an etcd error body.</summary>
    public static AnticliFakeEndpoint Answering(int status, string message) => new(status, message);

    /// <summary>Reads every request and never answers.</summary>
    public static AnticliFakeEndpoint Hanging() => new(0, null);

    /// <summary>A port on which nothing listens (connection refused).</summary>
    public static string DeadUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
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

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                connections.Add(ServeAsync(client));
            }
        }
        finally
        {
            try
            {
                await Task.WhenAll(connections);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
            {
                // Connections end with the endpoint.
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var received = new List<byte>();
            var buffer = new byte[4096];
            int headerEnd = -1;
            int contentLength = 0;
            while (true)
            {
                int read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                received.AddRange(buffer.AsSpan(0, read));
                var text = Encoding.ASCII.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(received));
                if (headerEnd < 0 && (headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                {
                    foreach (var line in text[..headerEnd].Split("\r\n"))
                    {
                        if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        {
                            contentLength = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                        }
                    }
                }

                if (headerEnd >= 0 && received.Count >= headerEnd + 4 + contentLength)
                {
                    break;
                }
            }

            Interlocked.Increment(ref _requests);
            if (_message is null)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
                return;
            }

            var body = $"{{\"error\":\"{_message}\",\"message\":\"{_message}\",\"code\":14}}";
            var response = $"HTTP/1.1 {_status} Unavailable\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(response), _stop.Token);
        }
    }
}
