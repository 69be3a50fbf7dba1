namespace AntiEtcd.Jepsen.Checkers.History;

/// <summary>One event a watcher received.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value of a put; null for a delete.</param>
/// <param name="ModRevision">The event's mod_revision (for a delete, the deletion's revision).</param>
public sealed record WatchEvent(string Key, string? Value, long ModRevision);
