using AntiEtcd.Api;

namespace AntiEtcd.Client;

/// <summary>One server message of a watch stream.</summary>
/// <param name="Url">The stream it came from.</param>
/// <param name="Json">The message exactly as received; the receiver owns it.</param>
/// <param name="Response">The decoded <c>result</c>, or null for an error object such as <c>{"error":"bad-json"}</c>.</param>
public readonly record struct WatchMessage(Uri Url, ReadOnlyMemory<byte> Json, WatchResponse? Response);
