using AntiEtcd.Mvcc;
using AntiEtcd.Raft;

namespace AntiEtcd.Server.Node;

/// <summary>Applies one committed log entry of a cluster node and tells the <see cref="ProposalTracker"/> the outcome.</summary>
/// <remarks>Applying reads neither options, nor the clock, nor randomness (SPEC §8.8): every node reaches the same state.</remarks>
internal sealed class LogEntryOperation(Entry entry, Lessor lessor, ProposalTracker tracker, Action<MvccStore, Command, object?> applied) : StoreOperation
{
    private ApplyOutcome _outcome;

    /// <inheritdoc />
    public override void Run(MvccStore store)
    {
        if (entry.Type == EntryType.Empty)
        {
            // A leader's no-op.
            _outcome = new ApplyOutcome(ApplyOutcomeKind.Applied, MvccStatus.Ok, null, store.CompactRevision);
            return;
        }

        // Commands are validated before they are proposed (a forwarded one by the leader too), so every node decodes
        // what it applies; a failure here means a corrupt log, and the node must not go on with a different state.
        var command = CommandCodec.Decode(entry.Data.Span);
        var (status, response) = CommandApplier.Apply(store, lessor, command);
        applied(store, command, response);
        _outcome = new ApplyOutcome(ApplyOutcomeKind.Applied, status, response, store.CompactRevision);
    }

    /// <inheritdoc />
    public override void Complete() => tracker.Applied(entry.Index, entry.Term, _outcome);

    /// <inheritdoc />
    public override void Abandon(Exception reason)
    {
        // The tracker's waiters are failed when the node stops.
    }
}
