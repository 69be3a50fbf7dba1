using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AntiEtcd.Testing;

/// <summary>
/// Loopback ports for servers that tests start on a port chosen in advance (a cluster's URLs name them before any node
/// runs, and a restarted node must get its port back).
/// </summary>
/// <remarks>
/// The ports come from below the kernel's ephemeral range (<c>/proc/sys/net/ipv4/ip_local_port_range</c>), never from
/// it: asking for port 0 hands out an ephemeral port, and between the probe's release and the server's bind (or while a
/// killed node is down) any outgoing connection on the machine may take that very port as its local port; the bind
/// then fails with "address already in use". Seen when a Jepsen run shared the machine with the cluster tests. Below
/// the range only another listener can take a port, and each one is checked free when picked.
/// </remarks>
internal static class LoopbackPorts
{
    private const int Lowest = 10_000;

    /// <summary><paramref name="count"/> distinct ports, each free when picked (and released again).</summary>
    public static int[] Pick(int count)
    {
        var listeners = Reserve(count);
        try
        {
            return [.. listeners.Select(static l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    /// <summary><paramref name="count"/> distinct ports, kept bound by the returned listeners until the caller stops them.</summary>
    public static TcpListener[] Reserve(int count)
    {
        var (ephemeralLow, _) = EphemeralRange();
        var listeners = new List<TcpListener>(count);
        try
        {
            // Too small a range below the ephemeral ports (an unusual kernel setting): the OS's choice, as before.
            var span = ephemeralLow - Lowest;
            for (var attempt = 0; listeners.Count < count; attempt++)
            {
                var port = span >= 100 * count && attempt < 10_000 ? Lowest + Random.Shared.Next(span) : 0;
                var listener = new TcpListener(IPAddress.Loopback, port);
                try
                {
                    listener.Start();
                    listeners.Add(listener);
                }
                catch (SocketException) when (port != 0)
                {
                    // Taken: try another.
                    listener.Dispose();
                }
            }

            return [.. listeners];
        }
        catch
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }

            throw;
        }
    }

    private static (int Low, int High) EphemeralRange()
    {
        try
        {
            var fields = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return (int.Parse(fields[0], CultureInfo.InvariantCulture), int.Parse(fields[1], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Linux's default; elsewhere the same rule keeps the ports out of most systems' ranges.
            return (32768, 60999);
        }
    }
}
