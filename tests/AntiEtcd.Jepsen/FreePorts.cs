using System.Net;
using System.Net.Sockets;

namespace AntiEtcd.Jepsen;

/// <summary>Loopback ports for nodes, which must keep their port across restarts (so port 0 will not do).</summary>
internal static class FreePorts
{
    /// <summary>
    /// Asks the OS for <paramref name="count"/> distinct free ports and keeps them bound until the reservation is
    /// disposed, so that nothing else the harness binds meanwhile (the fault proxies bind port 0) can get one of them.
    /// Found by CI: a proxy was handed its own target's port, proxied to itself, and looped until the system ran out
    /// of file descriptors. Another program may still take a port between the release and the node's bind (rare on a
    /// test machine; the node then fails to start and says so).
    /// </summary>
    public static PortReservation Reserve(int count)
    {
        var listeners = new TcpListener[count];
        var ports = new int[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
                ports[i] = ((IPEndPoint)listeners[i].LocalEndpoint).Port;
            }
        }
        catch
        {
            new PortReservation(listeners, ports).Dispose();
            throw;
        }

        return new PortReservation(listeners, ports);
    }
}
