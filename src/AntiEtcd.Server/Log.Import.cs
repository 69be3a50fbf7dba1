using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server;

/// <summary>Log messages of <c>--import_antietcd</c> (SPEC §9.6); event IDs 1200-1299. The outcome is logged whatever <c>--logs</c> says.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "import_antietcd: applied {Count} keys at revision {Revision}")]
    public static partial void ImportApplied(ILogger logger, int count, long revision);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "import_antietcd: skipped, the cluster is not empty")]
    public static partial void ImportSkipped(ILogger logger);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "--import_antietcd ignored: the data directory already holds cluster state")]
    public static partial void ImportIgnored(ILogger logger);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "import_antietcd: {Path} read, {Count} keys at file revision {Revision}; proposing the import")]
    public static partial void ImportProposed(ILogger logger, string path, int count, long revision);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Critical, Message = "import_antietcd: the import entry could not be proposed; the node stops")]
    public static partial void ImportFailed(ILogger logger, Exception exception);
}
