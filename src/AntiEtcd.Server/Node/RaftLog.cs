using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Node;

/// <summary>Source-generated log messages of the Raft loop (SPEC §11.5 <c>cluster</c>); event IDs 3100-3199.</summary>
internal static partial class RaftLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Raft {NodeId}: candidate, term {Term}")]
    public static partial void Candidate(ILogger logger, string nodeId, ulong term);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Raft {NodeId}: following {Leader}, term {Term}")]
    public static partial void Following(ILogger logger, string nodeId, string leader, ulong term);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Raft {NodeId}: leader, term {Term}, followers: {Followers}")]
    public static partial void Leader(ILogger logger, string nodeId, ulong term, string followers);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Raft {NodeId}: sending a snapshot at index {Index} to {Peer}")]
    public static partial void SnapshotSent(ILogger logger, string nodeId, ulong index, string peer);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Raft {NodeId}: installing a snapshot at index {Index}, term {Term} from {Leader}")]
    public static partial void SnapshotInstalled(ILogger logger, string nodeId, ulong index, ulong term, string leader);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Error, Message = "Raft {NodeId}: the Raft loop failed")]
    public static partial void LoopFailed(ILogger logger, string nodeId, Exception exception);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "Raft {NodeId}: recovered term {Term}, commit {Commit}, log ({First}, {Last}] from {Path}")]
    public static partial void Recovered(ILogger logger, string nodeId, ulong term, ulong commit, ulong first, ulong last, string path);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Information, Message = "Raft {NodeId}: handing leadership over to {Peer} before stopping")]
    public static partial void TransferOnStop(ILogger logger, string nodeId, string peer);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Debug, Message = "Raft {NodeId}: snapshot at index {Index} saved ({Bytes} bytes)")]
    public static partial void SnapshotSaved(ILogger logger, string nodeId, ulong index, int bytes);
}
