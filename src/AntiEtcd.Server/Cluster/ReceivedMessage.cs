using System.Net.WebSockets;

namespace AntiEtcd.Server.Cluster;

/// <summary>One whole WebSocket message; <see cref="Data"/> is owned by the receiver.</summary>
/// <param name="Type">Text, binary, or close (with empty data).</param>
/// <param name="Data">The message bytes.</param>
internal readonly record struct ReceivedMessage(WebSocketMessageType Type, byte[] Data);
