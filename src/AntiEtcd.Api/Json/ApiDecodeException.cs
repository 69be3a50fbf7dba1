namespace AntiEtcd.Api.Json;

/// <summary>
/// A request body or message that fails SPEC §3.2 step 5 (JSON) or §3.3 (field decoding).
/// </summary>
/// <remarks>
/// Always answered with HTTP 400 and gRPC code 3 (<see cref="HttpStatusCode"/>, <see cref="GrpcStatusCode"/>);
/// <see cref="Exception.Message"/> is the exact SPEC §3.6 text, so the HTTP layer can copy it into
/// the error body unchanged.
/// </remarks>
public sealed class ApiDecodeException : Exception
{
    /// <summary>Creates the exception with the generic JSON error text.</summary>
    public ApiDecodeException()
        : base(ApiJsonReader.InvalidJsonMessage)
    {
    }

    /// <summary>Creates the exception with the exact SPEC §3.6 message.</summary>
    /// <param name="message">The message sent to the client.</param>
    public ApiDecodeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the exact SPEC §3.6 message and an inner cause.</summary>
    /// <param name="message">The message sent to the client.</param>
    /// <param name="innerException">The parser error behind it (never shown to clients).</param>
    public ApiDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status of every decoding error.</summary>
    public const int HttpStatusCode = 400;

    /// <summary>The gRPC code of every decoding error (InvalidArgument).</summary>
    public const int GrpcStatusCode = 3;
}
