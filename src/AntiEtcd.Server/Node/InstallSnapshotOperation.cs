using AntiEtcd.Mvcc;
using AntiEtcd.Raft;

namespace AntiEtcd.Server.Node;

/// <summary>Replaces the whole state with a leader's snapshot (SPEC §8.3), on the apply loop.</summary>
internal sealed class InstallSnapshotOperation(Snapshot snapshot, ApplyLoop loop, ProposalTracker tracker, Action<MvccStore, Snapshot, IReadOnlyList<ReadOnlyMemory<byte>>> installed) : StoreOperation
{
    /// <inheritdoc />
    public override void Run(MvccStore store)
    {
        var replacement = MvccStore.ReadSnapshot(snapshot.Data.Span, out var volatileKeys);
        loop.ReplaceStore(replacement, snapshot.Index);
        installed(replacement, snapshot, volatileKeys);
    }

    /// <inheritdoc />
    public override void Complete() => tracker.SnapshotInstalled(snapshot.Index);

    /// <inheritdoc />
    public override void Abandon(Exception reason)
    {
    }
}
