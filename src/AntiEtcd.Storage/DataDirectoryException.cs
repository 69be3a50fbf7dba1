namespace AntiEtcd.Storage;

/// <summary>The data directory cannot be used (SPEC §9.1); the message is the exact text the server prints.</summary>
public sealed class DataDirectoryException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public DataDirectoryException()
        : base("the data directory cannot be used")
    {
    }

    /// <summary>Creates the exception with the message to print.</summary>
    /// <param name="message">The exact refusal text.</param>
    public DataDirectoryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the message to print and a cause.</summary>
    /// <param name="message">The exact refusal text.</param>
    /// <param name="innerException">The cause.</param>
    public DataDirectoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
