using System.Net.Sockets;

namespace AntiEtcd.Jepsen;

/// <summary>Free loopback ports held open by listeners until disposed (<see cref="FreePorts.Reserve"/>).</summary>
internal sealed class PortReservation(TcpListener[] listeners, int[] ports) : IDisposable
{
    /// <summary>The reserved ports, distinct.</summary>
    public IReadOnlyList<int> Ports => ports;

    /// <summary>Releases the ports, for the nodes to bind.</summary>
    public void Dispose()
    {
        foreach (var listener in listeners)
        {
            listener?.Stop();
        }
    }
}
