using System.Net.WebSockets;

namespace AntiEtcd.Server.Cluster;

/// <summary>A peer broke the frame rules after authentication; the connection is closed with <see cref="CloseStatus"/>.</summary>
internal sealed class PeerProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PeerProtocolException(WebSocketCloseStatus closeStatus, string message)
        : base(message) => CloseStatus = closeStatus;

    /// <summary>Creates the exception with 1002 (protocol error).</summary>
    public PeerProtocolException()
        : this(WebSocketCloseStatus.ProtocolError, "peer protocol error")
    {
    }

    /// <summary>Creates the exception with 1002 (protocol error).</summary>
    public PeerProtocolException(string message)
        : this(WebSocketCloseStatus.ProtocolError, message)
    {
    }

    /// <summary>Creates the exception with 1002 (protocol error).</summary>
    public PeerProtocolException(string message, Exception innerException)
        : base(message, innerException) => CloseStatus = WebSocketCloseStatus.ProtocolError;

    /// <summary>The close code to send.</summary>
    public WebSocketCloseStatus CloseStatus { get; }
}
