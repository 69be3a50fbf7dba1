using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server;

/// <summary>Source-generated log messages of the server; event IDs 1000-1999 (node), 2000-2999 (hosting).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Node {NodeId} listening on {Ip}:{Port}")]
    public static partial void Started(ILogger logger, string nodeId, string ip, int port);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Node {NodeId} stopped")]
    public static partial void Stopped(ILogger logger, string nodeId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "A RaftStateChanged handler failed")]
    public static partial void EventHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Lease expiry check failed")]
    public static partial void LeaseExpiryFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "Internal error serving {Path}")]
    public static partial void InternalError(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "{Line}")]
    public static partial void Access(ILogger logger, string line);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Closed a watch connection from {Address}: more than 64 MiB waited to be sent")]
    public static partial void WatchTooSlow(ILogger logger, string? address);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "An in-process watch callback failed; watch {WatchId} is canceled")]
    public static partial void WatchCallbackFailed(ILogger logger, long watchId, Exception exception);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Critical, Message = "Watch delivery failed on the apply loop")]
    public static partial void WatchDeliveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void StorageWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Recovered {Path}: applied index {Index}, revision {Revision}, torn tail: {TornTail}")]
    public static partial void Recovered(ILogger logger, string path, ulong index, long revision, string tornTail);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Returned the recovery's {Bytes} bytes read to the OS: one aggressive GC, {Milliseconds} ms, heap {HeapBytes} bytes")]
    public static partial void RecoveryMemoryReleased(ILogger logger, long bytes, long milliseconds, long heapBytes);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Snapshot at index {Index} saved ({Bytes} bytes)")]
    public static partial void SnapshotSaved(ILogger logger, ulong index, long bytes);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Critical, Message = "Storage failed; the node stops")]
    public static partial void StorageFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Compacted automatically to revision {Revision}")]
    public static partial void AutoCompacted(ILogger logger, long revision);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "Automatic compaction to revision {Revision} not applied: {Reason}")]
    public static partial void AutoCompactionSkipped(ILogger logger, long revision, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "The auth filter threw; the request is refused")]
    public static partial void AuthFilterFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "peer {Peer}: undecodable forwarding frame ignored: {Reason}")]
    public static partial void BadForwardFrame(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "A forwarded request failed")]
    public static partial void ForwardFailed(ILogger logger, Exception exception);
}
