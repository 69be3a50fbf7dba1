namespace AntiEtcd.Cli;

/// <summary>A usage error (SPEC §12.1): the message goes to stderr and the exit code is 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when the message is complete as it is (the unknown-command text of SPEC §12.1).</summary>
    public bool Verbatim { get; init; }
}
