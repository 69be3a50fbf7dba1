namespace AntiEtcd.Server.Cluster;

/// <summary>The connection to the leader ended after the request was sent: its outcome is unknown.</summary>
internal sealed class ForwardConnectionLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ForwardConnectionLostException()
        : base("The connection to the leader ended after the request was sent: its outcome is unknown.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ForwardConnectionLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ForwardConnectionLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
