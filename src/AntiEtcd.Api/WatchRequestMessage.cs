namespace AntiEtcd.Api;

/// <summary>One decoded client message of a watch WebSocket (SPEC §7.2).</summary>
/// <remarks>
/// A message may hold several requests; the server handles them in the order create, cancel,
/// progress. An object with none of them is ignored (no reply).
/// </remarks>
public sealed class WatchRequestMessage
{
    /// <summary>Set when the message is not a JSON object; then nothing else is set.</summary>
    public WatchMessageError Error { get; init; }

    /// <summary>The decoded <c>create_request</c>, if present and valid.</summary>
    public WatchCreateRequest? CreateRequest { get; init; }

    /// <summary>
    /// The SPEC §3.3 message when a <c>create_request</c> was present but failed decoding: it is
    /// answered with a "create failed" message carrying this as <c>cancel_reason</c> (SPEC §7.4).
    /// </summary>
    public string? CreateRequestError { get; init; }

    /// <summary>The decoded <c>cancel_request</c>, if present and valid (an invalid one is ignored).</summary>
    public WatchCancelRequest? CancelRequest { get; init; }

    /// <summary>True when a <c>progress_request</c> object was present.</summary>
    public bool ProgressRequest { get; init; }
}
