namespace AntiEtcd.Raft;

/// <summary>The leader's view of one member's log (Raft Figure 2 nextIndex/matchIndex, plus flow control).</summary>
internal sealed class Progress(ulong next, int maxInflight)
{
    /// <summary>The highest index known to be persisted on the member.</summary>
    public ulong Match { get; set; }

    /// <summary>The next index to send.</summary>
    public ulong Next { get; set; } = next;

    public ProgressState State { get; private set; }

    /// <summary>In <see cref="ProgressState.Probe"/>: an append was sent and its answer not yet seen.</summary>
    public bool ProbeSent { get; set; }

    /// <summary>In <see cref="ProgressState.Snapshot"/>: the index of the snapshot being sent.</summary>
    public ulong PendingSnapshot { get; private set; }

    /// <summary>Heard from since the last check-quorum round.</summary>
    public bool RecentActive { get; set; }

    /// <summary>The member's advertised leader_priority.</summary>
    public int Priority { get; set; }

    public Inflights Inflights { get; } = new(maxInflight);

    /// <summary>The highest commit index sent to the member that it can apply (at most the last index of that message).</summary>
    public ulong SentCommit { get; set; }

    /// <summary>The member said in its last answer that its state is incomplete (SPEC §9.4).</summary>
    public bool Incomplete { get; set; }

    /// <summary>A snapshot of the complete state was asked of the application for this member and not sent yet.</summary>
    public bool SnapshotRequested { get; set; }

    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Replicate => Inflights.Full,
        _ => true,
    };

    public void BecomeProbe()
    {
        // After a snapshot, the follower has at least the snapshot: probe from just after it.
        Next = State == ProgressState.Snapshot ? Math.Max(Match + 1, PendingSnapshot + 1) : Match + 1;
        ResetState(ProgressState.Probe);
    }

    public void BecomeReplicate()
    {
        Next = Match + 1;
        ResetState(ProgressState.Replicate);
    }

    public void BecomeSnapshot(ulong snapshotIndex)
    {
        ResetState(ProgressState.Snapshot);
        PendingSnapshot = snapshotIndex;
    }

    /// <summary>Records an acknowledgement up to <paramref name="index"/>.</summary>
    /// <returns>Whether Match advanced.</returns>
    public bool MaybeUpdate(ulong index)
    {
        var updated = false;
        if (Match < index)
        {
            Match = index;
            updated = true;
            ProbeSent = false;
        }

        Next = Math.Max(Next, index + 1);
        return updated;
    }

    /// <summary>Handles a rejected append of entries after <paramref name="rejected"/>.</summary>
    /// <returns>False if the rejection is stale (it answers an older message).</returns>
    public bool MaybeDecrTo(ulong rejected, ulong matchHint)
    {
        if (State == ProgressState.Replicate)
        {
            if (rejected <= Match)
            {
                return false;
            }

            Next = Match + 1;
            return true;
        }

        if (Next - 1 != rejected)
        {
            return false;
        }

        if (matchHint < Match)
        {
            // A member that still had its log up to Match would have hinted at Match or above. A lower hint means it
            // lost entries it had acknowledged: it restarted without its log (an in-memory node, SPEC §9.5, or an
            // unsynced tail with persist_interval > 0, §9.2). Without lowering Match, Next could never go below
            // Match + 1 and every probe would be rejected again, forever: the member would never catch up, and each
            // rejection would trigger another probe. Lowering Match is safe: commit only ever uses it to advance, and
            // the leader's commit index never moves back. A duplicated old rejection can do the same; that only costs
            // a resend (or a snapshot) that the member acknowledges at once.
            Match = matchHint;
        }

        Next = Math.Max(Math.Min(rejected, matchHint + 1), Match + 1);
        ProbeSent = false;
        return true;
    }

    private void ResetState(ProgressState state)
    {
        ProbeSent = false;
        PendingSnapshot = 0;
        SentCommit = 0;
        State = state;
        Inflights.Reset();
    }

    public override string ToString() => $"{State} match={Match} next={Next}" + (State == ProgressState.Snapshot ? $" snap={PendingSnapshot}" : "") + (IsPaused ? " paused" : "");
}
