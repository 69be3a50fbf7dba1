namespace AntiEtcd.Client;

/// <summary>
/// A request failed: the server answered with an error, or every endpoint that could be tried
/// failed. <see cref="Errors"/> holds one entry per attempt, in the order they were made.
/// </summary>
public sealed class AntiEtcdClientException : Exception
{
    /// <summary>Creates an exception with no attempts (for serializers and analyzers).</summary>
    public AntiEtcdClientException()
        : this("request failed")
    {
    }

    /// <summary>Creates an exception with a message and no attempts.</summary>
    /// <param name="message">The description.</param>
    public AntiEtcdClientException(string message)
        : base(message)
    {
        Errors = [];
    }

    /// <summary>Creates an exception with a message, an inner exception and no attempts.</summary>
    /// <param name="message">The description.</param>
    /// <param name="innerException">The cause.</param>
    public AntiEtcdClientException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>Creates an exception from the failed attempts; the last one gives the message.</summary>
    /// <param name="errors">At least one attempt.</param>
    public AntiEtcdClientException(IReadOnlyList<EndpointError> errors)
        : base(errors is { Count: > 0 } ? errors[^1].ToString() : "request failed")
    {
        Errors = errors ?? [];
    }

    /// <summary>Every attempt, in order; the last one is the failure that ended the request.</summary>
    public IReadOnlyList<EndpointError> Errors { get; }

    /// <summary>The HTTP status of the last attempt, or 0 when it got no HTTP answer.</summary>
    public int StatusCode => Errors.Count > 0 ? Errors[^1].StatusCode : 0;

    /// <summary>The gRPC code of the last attempt's error body, or 0.</summary>
    public int GrpcCode => Errors.Count > 0 ? Errors[^1].GrpcCode : 0;

    /// <summary>The server's message (or the failure's description) of the last attempt.</summary>
    public string ErrorMessage => Errors.Count > 0 ? Errors[^1].Message : Message;
}
