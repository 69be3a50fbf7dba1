using AntiEtcd.Api;

namespace AntiEtcd.Server.Node;

/// <summary>
/// A source of watch requests and a sink for watch messages: one client WebSocket, or the
/// server's in-process stream. Watch IDs belong to the stream (SPEC §7.4).
/// </summary>
/// <remarks>
/// The loop-owned members (<see cref="Watchers"/>, <see cref="NextAutoId"/>, <see cref="PendingProgress"/>)
/// are touched only on the apply loop. <see cref="Enqueue"/> is called on the loop and must not block.
/// </remarks>
internal abstract class WatchStream
{
    /// <summary>The slow-client limit: bytes of messages waiting to be sent (SPEC §7.4, DESIGN §4).</summary>
    public const long MaxPendingBytes = 64L * 1024 * 1024;

    /// <summary>This stream's watches by ID. Loop-owned.</summary>
    public Dictionary<long, Watcher> Watchers { get; } = [];

    /// <summary>The auto-assignment counter (starts at 0, skips IDs in use). Loop-owned.</summary>
    public long NextAutoId { get; set; }

    /// <summary>Revisions of progress requests not answered yet because a watch still replays. Loop-owned.</summary>
    public Queue<long> PendingProgress { get; } = new();

    /// <summary>True once the stream is closed: the hub drops its watches and sends nothing more.</summary>
    public abstract bool IsClosed { get; }

    /// <summary>The size limit of one message, for fragmentation.</summary>
    public abstract int MaxMessageBytes { get; }

    /// <summary>Queues a message. Returns false when the stream gave up (closed or too slow).</summary>
    public abstract bool Enqueue(WatchResponse message);

    /// <summary>True when nothing waits to be sent, so replay may produce more.</summary>
    public abstract bool IsDrained { get; }

    /// <summary>
    /// Set by the hub (on the loop) when some watch of the stream still replays, read by the
    /// stream's sender to ask for the next replay step once its queue drains.
    /// </summary>
    public volatile bool HasReplaying;

    /// <summary>A rough size of a message once encoded, for the slow-client limit.</summary>
    public static long EstimateBytes(WatchResponse message)
    {
        long size = 160;
        foreach (var e in message.Events)
        {
            size += 96 + ((e.Kv.Key.Length + e.Kv.Value.Length) * 4 / 3);
            if (e.PrevKv is { } prev)
            {
                size += 96 + ((prev.Key.Length + prev.Value.Length) * 4 / 3);
            }
        }

        return size;
    }
}
