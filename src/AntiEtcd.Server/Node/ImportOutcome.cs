namespace AntiEtcd.Server.Node;

/// <summary>What applying an import entry did (SPEC §9.6), the same on every node.</summary>
/// <param name="Applied">True when the keys were loaded; false when the store was not empty and the import was skipped.</param>
/// <param name="KeyCount">The number of keys the entry carries.</param>
/// <param name="Revision">The store's revision after the entry.</param>
internal sealed record ImportOutcome(bool Applied, int KeyCount, long Revision);
