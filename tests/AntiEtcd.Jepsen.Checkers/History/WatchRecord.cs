namespace AntiEtcd.Jepsen.Checkers.History;

/// <summary>What one watcher saw, across reconnects (each reconnect resumes from the last revision seen + 1).</summary>
/// <param name="Client">The watcher's number.</param>
/// <param name="Prefix">The watched key prefix.</param>
/// <param name="StartRevision">The first revision asked for.</param>
/// <param name="Events">Every event received, in arrival order.</param>
/// <param name="EndRevision">The revision up to which the watcher is known complete (the last progress or event revision seen); events up to it must all have arrived.</param>
/// <param name="Compacted">True when the watch was cancelled as compacted: completeness is not claimed past <see cref="EndRevision"/>.</param>
public sealed record WatchRecord(int Client, string Prefix, long StartRevision, IReadOnlyList<WatchEvent> Events, long EndRevision, bool Compacted);
