namespace AntiEtcd.Server.Cluster;

/// <summary>A failed peer handshake check; the connection is closed with 1008 (SPEC §10.3).</summary>
/// <remarks>The message is safe to log and to send as the close reason: it never contains the key or a MAC.</remarks>
internal sealed class PeerAuthException : Exception
{
    /// <summary>Creates the exception with a loggable reason.</summary>
    public PeerAuthException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a loggable reason and its cause.</summary>
    public PeerAuthException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic reason.</summary>
    public PeerAuthException()
        : base("peer authentication failed")
    {
    }
}
