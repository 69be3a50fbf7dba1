using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Cluster;

/// <summary>Source-generated log messages of the peer transport; event IDs 3000-3099.</summary>
/// <remarks>Nothing here takes the cluster key or a MAC as an argument, so neither can reach a log.</remarks>
internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "peer {Peer}: connected ({Direction}, {Address})")]
    public static partial void Connected(ILogger logger, string peer, string direction, string address);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "peer {Peer}: disconnected ({Direction}, {Address}): {Reason}")]
    public static partial void Disconnected(ILogger logger, string peer, string direction, string address, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "peer connection from {Address} refused: {Reason}")]
    public static partial void IncomingRefused(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "peer {Peer}: connection to {Address} refused: {Reason}")]
    public static partial void OutgoingRefused(ILogger logger, string peer, string address, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error, Message = "peer {Peer}: setting {Setting} differs ({Ours} here, {Theirs} there)")]
    public static partial void SettingDiffers(ILogger logger, string peer, string setting, string ours, string theirs);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "cluster_key is shorter than {Bytes} bytes; use a longer random key")]
    public static partial void ShortClusterKey(ILogger logger, int bytes);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "peer {Peer}: dropped a {Bytes}-byte message, more than a chunked transfer may carry")]
    public static partial void MessageTooLarge(ILogger logger, string peer, long bytes);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Debug, Message = "peer {Peer}: cannot connect to {Address}: {Reason}")]
    public static partial void DialFailed(ILogger logger, string peer, string address, string reason);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Debug, Message = "peer {Peer}: dropped a message addressed to {To}")]
    public static partial void MisaddressedMessage(ILogger logger, string peer, ulong to);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "A PeerStateChanged handler failed")]
    public static partial void EventHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "peer {Peer}: connection loop failed")]
    public static partial void LoopFailed(ILogger logger, string peer, Exception exception);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "peer {Peer}: {Count} messages dropped, the send queue was full")]
    public static partial void QueueOverflow(ILogger logger, string peer, long count);
}
