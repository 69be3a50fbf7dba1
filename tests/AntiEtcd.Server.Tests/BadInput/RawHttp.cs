using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AntiEtcd.Server.Tests.BadInput;

/// <summary>Hand-made HTTP/1.1 over a plain socket, for requests HttpClient refuses to send.</summary>
internal static class RawHttp
{
    /// <summary>Sends <paramref name="request"/>, optionally half-closes, and reads until the server closes or a full response arrived.</summary>
    /// <returns>The status (0 when the server closed without answering) and the raw response text.</returns>
    public static async Task<(int Status, string Text)> ExchangeAsync(int port, byte[] request, bool closeAfterSend, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, ct);
        try
        {
            await socket.SendAsync(request, SocketFlags.None, ct);
        }
        catch (SocketException)
        {
            // The server may answer and close before reading everything we send.
        }

        if (closeAfterSend)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        return await ReadResponseAsync(socket, ct);
    }

    /// <summary>Reads one response: headers, then Content-Length bytes; or until the peer closes.</summary>
    public static async Task<(int Status, string Text)> ReadResponseAsync(Socket socket, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (SocketException)
            {
                break;
            }

            if (n == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, n));
            if (IsComplete(received))
            {
                break;
            }
        }

        var text = Encoding.UTF8.GetString([.. received]);
        var status = text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && text.Length >= 12
            ? int.Parse(text.AsSpan(9, 3), CultureInfo.InvariantCulture)
            : 0;
        return (status, text);
    }

    /// <summary>Reads <paramref name="count"/> pipelined responses (each with a Content-Length) from one connection.</summary>
    public static async Task<List<(int Status, string Text)>> ReadResponsesAsync(Socket socket, int count, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        var responses = new List<(int, string)>();
        while (responses.Count < count)
        {
            var length = CompleteLength(received);
            if (length > 0)
            {
                var text = Encoding.UTF8.GetString(received.GetRange(0, length).ToArray());
                responses.Add((int.Parse(text.AsSpan(9, 3), CultureInfo.InvariantCulture), text));
                received.RemoveRange(0, length);
                continue;
            }

            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, n));
        }

        return responses;
    }

    /// <summary>The body of a raw response (after the blank line).</summary>
    public static string Body(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return end < 0 ? "" : text[(end + 4)..];
    }

    /// <summary>The byte length of the first complete response in <paramref name="received"/>, or 0.</summary>
    private static int CompleteLength(List<byte> received)
    {
        var bytes = received.ToArray();
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return 0;
        }

        foreach (var line in Encoding.ASCII.GetString(bytes, 0, end).Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                var total = end + 4 + int.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
                return bytes.Length >= total ? total : 0;
            }
        }

        return 0;
    }

    private static bool IsComplete(List<byte> received)
    {
        var text = Encoding.UTF8.GetString([.. received]);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        foreach (var line in text[..end].Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return text.Length - end - 4 >= int.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return false;
    }
}
