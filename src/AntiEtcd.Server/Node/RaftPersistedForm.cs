using AntiEtcd.Raft;

namespace AntiEtcd.Server.Node;

/// <summary>
/// What a cluster node with a persist filter writes to its disk instead of what it holds in memory (SPEC §9.4): the
/// persisted form of each entry and of each leader's snapshot it installs. Called on the Raft loop.
/// </summary>
/// <param name="StoredEntry">The entry to log for an entry of the in-memory log (the entry itself when nothing is filtered).</param>
/// <param name="StoredImage">The image to store for a snapshot received from a leader.</param>
internal sealed record RaftPersistedForm(Func<Entry, Entry> StoredEntry, Func<Snapshot, ReadOnlyMemory<byte>> StoredImage);
