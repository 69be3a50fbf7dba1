using System.Net;

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
        // Below the ephemeral range (AntiEtcd.Testing.LoopbackPorts): a killed node's port is free until its restart,
        // and an outgoing connection of the harness or of a node could otherwise take it as its local port.
        var listeners = AntiEtcd.Testing.LoopbackPorts.Reserve(count);
        var ports = new int[count];
        for (int i = 0; i < count; i++)
        {
            ports[i] = ((IPEndPoint)listeners[i].LocalEndpoint).Port;
        }

        return new PortReservation(listeners, ports);
    }
}
