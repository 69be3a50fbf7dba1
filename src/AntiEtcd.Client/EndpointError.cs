namespace AntiEtcd.Client;

/// <summary>One failed attempt of a request on one endpoint.</summary>
/// <param name="Url">The URL the request was sent to (endpoint and path).</param>
/// <param name="StatusCode">The HTTP status, or 0 when no HTTP answer came (connection error, timeout).</param>
/// <param name="GrpcCode">The <c>code</c> of the JSON error body, or 0 when there was none.</param>
/// <param name="Message">The JSON <c>message</c> when there was one, otherwise a description of the failure.</param>
/// <param name="MayHaveExecuted">
/// True when the request may have taken effect: a write is never retried after such a failure
/// (a timeout after the body was sent, or a 503 with the "outcome unknown" suffix).
/// </param>
public sealed record EndpointError(Uri Url, int StatusCode, int GrpcCode, string Message, bool MayHaveExecuted)
{
    /// <summary>The line SPEC §12.3 prints: <c>&lt;url&gt;: &lt;message&gt;</c>.</summary>
    public override string ToString() => $"{Url}: {Message}";
}
