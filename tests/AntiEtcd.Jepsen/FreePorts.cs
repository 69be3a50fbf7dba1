using System.Net;
using System.Net.Sockets;

namespace AntiEtcd.Jepsen;

/// <summary>Loopback ports for nodes, which must keep their port across restarts (so port 0 will not do).</summary>
internal static class FreePorts
{
    /// <summary>
    /// Asks the OS for <paramref name="count"/> distinct free ports. All listeners stay open until every
    /// port is chosen, so the OS cannot hand out the same one twice; another program may still take one
    /// before the node binds it (rare on a test machine; the node then fails to start and says so).
    /// </summary>
    public static int[] Allocate(int count)
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
        finally
        {
            foreach (var listener in listeners)
            {
                listener?.Stop();
            }
        }

        return ports;
    }
}
