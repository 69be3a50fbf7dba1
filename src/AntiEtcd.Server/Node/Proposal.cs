namespace AntiEtcd.Server.Node;

/// <summary>
/// A client write on its way from the leader's Raft loop to the apply loop, with one completion for the whole trip: the
/// loop registers it with the <see cref="ProposalTracker"/> as it proposes it, so the proposer is woken once, when the
/// entry is applied (or lost), not also in between to learn its index and register itself.
/// </summary>
/// <remarks>Thread-safe: the loop sets the index and term before the entry can be applied; the proposer reads them after.</remarks>
internal sealed class Proposal(ReadOnlyMemory<byte> command)
{
    private ulong _index;
    private ulong _term;

    /// <summary>The encoded command.</summary>
    public ReadOnlyMemory<byte> Command => command;

    /// <summary>
    /// 0 for a client write; otherwise the term the decision to write it was taken in (a lease expiry, decided from
    /// that term's deadlines): the loop proposes it only while the node's term is still this one, checked where the
    /// core takes it, so no deposition and re-election can slip in between the decision and the proposal.
    /// </summary>
    public ulong RequiredTerm { get; init; }

    /// <summary>
    /// Completes when the entry is applied (<see cref="ApplyOutcomeKind.Applied"/>), when another entry took its index
    /// or a snapshot covered it, or at once with <see cref="ApplyOutcomeKind.NotProposed"/> when this node could not
    /// propose it.
    /// </summary>
    public TaskCompletionSource<ApplyOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The log index the leader gave it; 0 while it waits in the loop's inbox.</summary>
    public ulong Index => Volatile.Read(ref _index);

    /// <summary>The term it was proposed in; 0 while it waits in the loop's inbox.</summary>
    public ulong Term => Volatile.Read(ref _term);

    /// <summary>On the Raft loop: the core accepted it at (<paramref name="index"/>, <paramref name="term"/>).</summary>
    public void Accepted(ulong index, ulong term)
    {
        Volatile.Write(ref _term, term);
        Volatile.Write(ref _index, index);
    }

    /// <summary>Nothing was written: not the leader, a leadership transfer, or the loop stopped.</summary>
    public void NotProposed() => Completion.TrySetResult(new ApplyOutcome(ApplyOutcomeKind.NotProposed, default, null, 0));
}
