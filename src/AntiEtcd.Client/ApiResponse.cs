namespace AntiEtcd.Client;

/// <summary>A successful (HTTP 200) answer: the raw JSON body and the endpoint that gave it.</summary>
/// <param name="Endpoint">The endpoint that answered (without the path).</param>
/// <param name="Body">The response body, exactly as received; the caller owns it.</param>
public sealed record ApiResponse(Uri Endpoint, ReadOnlyMemory<byte> Body);
