using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server;

/// <summary>Log messages of the persist filter (SPEC §9.4); event IDs 1300-1399.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "persist_filter is ignored without --data")]
    public static partial void PersistFilterIgnored(ILogger logger);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "persist_filter threw; the write is stored as is")]
    public static partial void PersistFilterFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "volatile reset: the data directory holds filtered writes, so volatile data is gone; revision {Revision}, {Kept} keys kept, {Dropped} volatile keys dropped, history before it compacted")]
    public static partial void VolatileReset(ILogger logger, long revision, int kept, int dropped);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Raft {NodeId}: state is {State} at revision {Revision} (SPEC 9.4: an incomplete node serves no local reads or watches until a complete snapshot or a volatile reset)")]
    public static partial void Completeness(ILogger logger, string nodeId, string state, long revision);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Raft {NodeId}: leader of term {Term} with incomplete state: proposed a volatile reset to revision {Revision} with {Keys} keys; volatile data no running node held is gone")]
    public static partial void VolatileResetProposed(ILogger logger, string nodeId, ulong term, long revision, int keys);
}
