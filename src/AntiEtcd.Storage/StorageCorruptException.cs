namespace AntiEtcd.Storage;

/// <summary>Recovery found damage that is not a torn tail (docs/wal-format.md §3); the node must not start.</summary>
/// <remarks>The message names the file and the byte offset, as SPEC §9.3 requires.</remarks>
public sealed class StorageCorruptException : IOException
{
    /// <summary>Creates the exception with a message only.</summary>
    public StorageCorruptException()
        : base("storage is corrupt")
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The complete message.</param>
    public StorageCorruptException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The complete message.</param>
    /// <param name="innerException">The cause.</param>
    public StorageCorruptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for damage at <paramref name="offset"/> of <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The damaged file.</param>
    /// <param name="offset">The byte offset of the damaged record or header.</param>
    /// <param name="reason">What is wrong there.</param>
    public StorageCorruptException(string filePath, long offset, string reason)
        : base($"{filePath}: offset {offset}: {reason}")
    {
        FilePath = filePath;
        Offset = offset;
    }

    /// <summary>The damaged file, or null when the exception was not created for one.</summary>
    public string? FilePath { get; }

    /// <summary>The byte offset of the damage in <see cref="FilePath"/>, or -1.</summary>
    public long Offset { get; } = -1;
}
