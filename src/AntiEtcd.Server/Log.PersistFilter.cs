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
}
