namespace AntiEtcd.Server.Node;

/// <summary>A consistent summary of the store, published by the apply loop after each batch.</summary>
/// <param name="Revision">The store revision.</param>
/// <param name="CompactRevision">The compact revision.</param>
/// <param name="KeyCount">Live keys.</param>
/// <param name="LeaseCount">Leases.</param>
/// <param name="SizeBytes">Estimated bytes of live data and retained history.</param>
/// <param name="AppliedIndex">Operations applied (the log index once the node is replicated).</param>
internal sealed record AppliedState(long Revision, long CompactRevision, long KeyCount, int LeaseCount, long SizeBytes, ulong AppliedIndex);
