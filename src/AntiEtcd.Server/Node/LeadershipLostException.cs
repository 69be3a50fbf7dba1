namespace AntiEtcd.Server.Node;

/// <summary>
/// A lease answer (keepalive, time-to-live) computed on this node while it led could not be confirmed in that same
/// term: the node was deposed meanwhile, so the answer reflects deadlines the current leader does not hold. Nothing
/// was promised to the client; the request is asked again of whoever leads now.
/// </summary>
internal sealed class LeadershipLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LeadershipLostException()
        : base("leadership lost before the lease answer was confirmed")
    {
    }

    /// <summary>Creates the exception.</summary>
    public LeadershipLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public LeadershipLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
