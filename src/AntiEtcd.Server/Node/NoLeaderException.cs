namespace AntiEtcd.Server.Node;

/// <summary>No leader is known, so a read index cannot be asked for now.</summary>
internal sealed class NoLeaderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NoLeaderException()
        : base("no leader")
    {
    }

    /// <summary>Creates the exception.</summary>
    public NoLeaderException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public NoLeaderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
