namespace AntiEtcd.Server.Cluster;

/// <summary>No authenticated connection to the leader: the request was not sent.</summary>
internal sealed class ForwardNotSentException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ForwardNotSentException()
        : base("No authenticated connection to the leader: the request was not sent.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ForwardNotSentException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ForwardNotSentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
