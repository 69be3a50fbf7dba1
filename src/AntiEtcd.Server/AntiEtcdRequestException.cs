namespace AntiEtcd.Server;

/// <summary>
/// A request failed with one of the errors of SPEC §3.6; thrown by every call of
/// <see cref="AntiEtcdServer"/> and written by the HTTP layer as <c>{"error","message","code"}</c>.
/// </summary>
public sealed class AntiEtcdRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">The HTTP status.</param>
    /// <param name="grpcCode">The gRPC status code written as <c>code</c> in the JSON body.</param>
    /// <param name="message">The exact SPEC §3.6 message.</param>
    /// <param name="compactRevision">The compact revision, for compaction errors.</param>
    public AntiEtcdRequestException(int code, int grpcCode, string message, long? compactRevision = null)
        : base(message)
    {
        Code = code;
        GrpcCode = grpcCode;
        CompactRevision = compactRevision;
    }

    /// <summary>Creates a 500 error; prefer the other constructor.</summary>
    public AntiEtcdRequestException()
        : this(500, 13, "Internal error")
    {
    }

    /// <summary>Creates a 500 error with a message; prefer the other constructor.</summary>
    /// <param name="message">The message.</param>
    public AntiEtcdRequestException(string message)
        : this(500, 13, message)
    {
    }

    /// <summary>Creates a 500 error wrapping another; prefer the other constructor.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public AntiEtcdRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = 500;
        GrpcCode = 13;
    }

    /// <summary>The HTTP status of SPEC §3.6.</summary>
    public int Code { get; }

    /// <summary>The gRPC status code (the <c>code</c> of the JSON body).</summary>
    public int GrpcCode { get; }

    /// <summary>Set for errors about a compacted revision.</summary>
    public long? CompactRevision { get; }
}
