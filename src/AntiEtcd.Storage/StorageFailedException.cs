namespace AntiEtcd.Storage;

/// <summary>A write, fsync, file creation or rename failed at run time; the storage refuses all further work (fail-stop).</summary>
/// <remarks>
/// The node must stop (SPEC §9.2): after a failed fsync the kernel may have dropped the dirty pages and cleared the
/// error, so nothing that was waiting can be acknowledged and nothing is retried. <see cref="Exception.InnerException"/>
/// is the first cause; every waiter of a failed <see cref="Wal"/> receives an exception with the same cause.
/// </remarks>
public sealed class StorageFailedException : IOException
{
    /// <summary>Creates the exception with a message only.</summary>
    public StorageFailedException()
        : base("storage failed")
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">What failed.</param>
    public StorageFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception for a failure caused by <paramref name="innerException"/>.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The first cause.</param>
    public StorageFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
