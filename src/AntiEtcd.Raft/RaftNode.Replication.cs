namespace AntiEtcd.Raft;

/// <summary>Log replication: appends, heartbeats, snapshots, flow control and commit (Raft §5.3, §5.4, §7).</summary>
public sealed partial class RaftNode
{
    private void StepLeader(Message m)
    {
        if (!_progress.TryGetValue(m.From, out var pr))
        {
            return;
        }

        switch (m.Type)
        {
            case MessageType.AppResp:
                pr.RecentActive = true;
                pr.Priority = m.Priority;
                NoteCompleteness(pr, m.Incomplete);
                HandleAppendResponse(m, pr);
                break;
            case MessageType.HeartbeatResp:
                pr.RecentActive = true;
                pr.Priority = m.Priority;
                NoteCompleteness(pr, m.Incomplete);
                pr.ProbeSent = false;
                if (pr.State == ProgressState.Replicate && pr.Inflights.Full)
                {
                    pr.Inflights.FreeFirstOne();
                }

                if (pr.Match < _log.LastIndex)
                {
                    // Also recovers from lost appends: an empty append that does not match is rejected and resets Next.
                    MaybeSendAppend(m.From, sendIfEmpty: true);
                }

                if (!m.Context.IsEmpty)
                {
                    AckReadIndex(m.From, m.Context);
                }

                break;
            case MessageType.ReadIndex:
                HandleReadIndexRequest(m.From, m.Context);
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// SPEC §9.4: a complete leader replaces an incomplete follower's state with a snapshot of its own, taken for it
    /// (the stored one may be older than what the follower holds). Asked once the leader has committed an entry of
    /// its term, so that a snapshot at the leader's applied index covers every entry committed in earlier terms, so
    /// at or past the follower's commit index.
    /// </summary>
    private void NoteCompleteness(Progress pr, bool incomplete)
    {
        pr.Incomplete = incomplete;
        if (!incomplete || Incomplete || pr.SnapshotRequested || pr.State == ProgressState.Snapshot || !CommittedEntryInCurrentTerm)
        {
            return;
        }

        pr.SnapshotRequested = true;
        _snapshotWanted = Math.Max(_snapshotWanted ?? 0, Math.Max(pr.Match, _log.Committed));
    }

    /// <summary>
    /// Sends the stored snapshot to every incomplete follower it was taken for (<see cref="Ready.SnapshotWanted"/>).
    /// A follower whose log holds the snapshot's entry replaces only its state with it (<see cref="Ready.StateSnapshot"/>)
    /// and keeps its log, so no entry it acknowledged is dropped; one whose log does not hold it installs it as usual.
    /// </summary>
    public void SendRequestedSnapshots()
    {
        if (Role != RaftRole.Leader)
        {
            return;
        }

        var snapshot = _config.Storage.GetSnapshot();
        foreach (var (id, pr) in _progress)
        {
            if (id == Id || !pr.SnapshotRequested)
            {
                continue;
            }

            pr.SnapshotRequested = false;
            if (pr.Incomplete && !snapshot.Filtered && snapshot.Index > 0)
            {
                Send(new Message { Type = MessageType.Snap, To = id, Snapshot = snapshot });
                pr.BecomeSnapshot(snapshot.Index);
            }
        }
    }

    private void HandleAppendResponse(Message m, Progress pr)
    {
        if (m.Reject)
        {
            var next = m.RejectHint;
            if (m.LogTerm > 0)
            {
                next = _log.FindConflictByTerm(m.RejectHint, m.LogTerm);
            }

            if (pr.MaybeDecrTo(m.Index, next))
            {
                if (pr.State == ProgressState.Replicate)
                {
                    pr.BecomeProbe();
                }

                MaybeSendAppend(m.From, sendIfEmpty: true);
            }

            return;
        }

        if (!pr.MaybeUpdate(m.Index) && !(pr.Match == m.Index && pr.State == ProgressState.Probe))
        {
            return;
        }

        switch (pr.State)
        {
            case ProgressState.Probe:
                pr.BecomeReplicate();
                break;
            case ProgressState.Snapshot when pr.Match + 1 >= _log.FirstIndex:
                pr.BecomeProbe();
                pr.BecomeReplicate();
                break;
            case ProgressState.Replicate:
                pr.Inflights.FreeLE(m.Index);
                break;
            default:
                break;
        }

        if (MaybeCommit())
        {
            // Tell followers the new commit index in the next Ready, not now: the answers of several followers (and
            // the proposals that arrive meanwhile) then share one append per follower instead of one each.
            _needBroadcast = true;
        }

        // Flow control: fill the window again (a follower that was paused gets what queued up meanwhile).
        while (MaybeSendAppend(m.From, sendIfEmpty: false))
        {
        }

        if (!_needBroadcast && pr.SentCommit < Math.Min(_log.Committed, pr.Match))
        {
            // The commit index moved on while this follower's window was full, so the broadcast skipped it, and no new
            // entry is going its way now: send the commit alone, or it applies (and answers its clients' writes) only at
            // the next heartbeat.
            MaybeSendAppend(m.From, sendIfEmpty: true);
        }

        if (m.From == LeadTransferee && pr.Match == _log.LastIndex)
        {
            Send(new Message { Type = MessageType.TimeoutNow, To = m.From });
        }
    }

    /// <summary>Advances the commit index to what a majority has persisted, if that entry is of the current term (Raft §5.4.2).</summary>
    private bool MaybeCommit()
    {
        Span<ulong> matches = _voters.Length <= 16 ? stackalloc ulong[_voters.Length] : new ulong[_voters.Length];
        for (var i = 0; i < _voters.Length; i++)
        {
            matches[i] = _progress[_voters[i]].Match;
        }

        var index = Quorum.CommittedIndex(matches);
        if (!_log.MaybeCommit(index, Term, anyTerm: (Bugs & RaftBugs.CommitPreviousTermByCounting) != 0))
        {
            return false;
        }

        if (CommittedEntryInCurrentTerm)
        {
            ReleasePendingReadIndex();
        }

        return true;
    }

    private bool CommittedEntryInCurrentTerm => _log.TermOrZero(_log.Committed) == Term;

    private void BroadcastAppend()
    {
        foreach (var v in _voters)
        {
            if (v != Id && MaybeSendAppend(v, sendIfEmpty: true))
            {
                // Fill the flow-control window (no-op for a follower being probed: it pauses after one message).
                while (MaybeSendAppend(v, sendIfEmpty: false))
                {
                }
            }
        }
    }

    private void BroadcastHeartbeat(ReadOnlyMemory<byte> context)
    {
        foreach (var v in _voters)
        {
            if (v != Id)
            {
                // Only commit what the follower is known to have: it may not have the leader's later entries yet.
                var pr = _progress[v];
                var commit = Math.Min(pr.Match, _log.Committed);
                pr.SentCommit = Math.Max(pr.SentCommit, commit);
                Send(new Message { Type = MessageType.Heartbeat, To = v, Commit = commit, Context = context });
            }
        }
    }

    /// <summary>The last unstable entry handed out in a <see cref="Ready"/> for persisting.</summary>
    /// <remarks>
    /// While a replicating follower's flow-control window is full, a leader persists only the entries it has sent to
    /// some follower; the others wait for the append that carries them, which a follower's answer releases. They
    /// cannot commit earlier (a majority needs a follower's copy too), and the leader's fsyncs then cover the batches
    /// the followers fsync instead of whatever each Ready held (docs/raft.md, "Flow control and the leader's own
    /// writes"). With no follower replicating, everything is handed out at once.
    /// </remarks>
    private ulong PersistLimit()
    {
        if (Role != RaftRole.Leader)
        {
            return ulong.MaxValue;
        }

        var windowFull = false;
        var sent = 0UL;
        foreach (var (id, pr) in _progress)
        {
            if (id == Id || pr.State != ProgressState.Replicate)
            {
                continue;
            }

            windowFull |= pr.Inflights.Full;
            sent = Math.Max(sent, pr.Next - 1);
        }

        return windowFull ? sent : ulong.MaxValue;
    }

    /// <summary>Sends the next append (or a snapshot) to <paramref name="to"/> if flow control allows.</summary>
    /// <returns>Whether a message was sent.</returns>
    private bool MaybeSendAppend(NodeId to, bool sendIfEmpty)
    {
        var pr = _progress[to];
        if (pr.IsPaused || pr.SnapshotRequested)
        {
            // While a snapshot is being taken for it, an incomplete follower gets no more entries, so that its Match,
            // and the commit index it learns (never above Match), stay at or below the snapshot (SPEC §9.4).
            return false;
        }

        var prevIndex = pr.Next - 1;
        if (pr.Next < _log.FirstIndex || !_log.TryTerm(prevIndex, out var prevTerm))
        {
            return SendSnapshot(to, pr);
        }

        var last = _log.LastIndex;
        var entries = pr.Next <= last ? _log.Slice(pr.Next, last + 1, _config.MaxSizePerMessage) : [];
        if (entries.Count == 0 && !sendIfEmpty)
        {
            return false;
        }

        Send(new Message
        {
            Type = MessageType.App,
            To = to,
            Index = prevIndex,
            LogTerm = prevTerm,
            Entries = entries,
            Commit = _log.Committed,
        });
        pr.SentCommit = Math.Max(pr.SentCommit, Math.Min(_log.Committed, entries.Count > 0 ? entries[^1].Index : prevIndex));
        if (pr.State == ProgressState.Replicate && entries.Count > 0)
        {
            var lastSent = entries[^1].Index;
            pr.Next = lastSent + 1;
            pr.Inflights.Add(lastSent);
        }
        else if (pr.State == ProgressState.Probe)
        {
            pr.ProbeSent = true;
        }

        return true;
    }

    private bool SendSnapshot(NodeId to, Progress pr)
    {
        var snapshot = _config.Storage.GetSnapshot();
        if (snapshot.Index == 0)
        {
            throw new InvalidOperationException($"follower {to} needs index {pr.Next} but the log is compacted and storage has no snapshot");
        }

        Send(new Message { Type = MessageType.Snap, To = to, Snapshot = snapshot });
        pr.BecomeSnapshot(snapshot.Index);
        return true;
    }

    private void HandleAppend(Message m)
    {
        if (m.Index < _log.Committed)
        {
            Send(new Message { Type = MessageType.AppResp, To = m.From, Index = _log.Committed, Priority = _config.LeaderPriority, Incomplete = Incomplete });
            return;
        }

        var lastNew = _log.MaybeAppend(m.Index, m.LogTerm, m.Commit, m.Entries);
        if (lastNew is { } index)
        {
            Send(new Message { Type = MessageType.AppResp, To = m.From, Index = index, Priority = _config.LeaderPriority, Incomplete = Incomplete });
            return;
        }

        // Raft §5.3 (end): hint the leader at the last index that might match, skipping whole terms.
        var hint = _log.FindConflictByTerm(Math.Min(m.Index, _log.LastIndex), m.LogTerm);
        Send(new Message
        {
            Type = MessageType.AppResp,
            To = m.From,
            Index = m.Index,
            Reject = true,
            RejectHint = hint,
            LogTerm = _log.TermOrZero(hint),
            Priority = _config.LeaderPriority,
            Incomplete = Incomplete,
        });
    }

    private void HandleHeartbeat(Message m)
    {
        if (m.Commit <= _log.LastIndex)
        {
            _log.CommitTo(m.Commit);
        }

        Send(new Message { Type = MessageType.HeartbeatResp, To = m.From, Context = m.Context, Priority = _config.LeaderPriority, Incomplete = Incomplete });
    }

    private void HandleSnapshot(Message m)
    {
        var snapshot = m.Snapshot ?? throw new InvalidOperationException("Snap message without a snapshot");
        var ackIndex = _log.Committed;
        if (Incomplete && !snapshot.Filtered && snapshot.Index >= _log.Committed && _log.MatchTerm(snapshot.Index, snapshot.Term))
        {
            // SPEC §9.4: this node's log agrees with the leader's up to the snapshot, but its state is incomplete: the
            // complete state replaces the state machine's (Ready.StateSnapshot), and the log stays as it is. Entries
            // after the snapshot may already count towards a commit; they are applied on top of it.
            _log.CommitTo(snapshot.Index);
            _log.SkipApplyingTo(snapshot.Index);
            _stateSnapshot = snapshot;
            ackIndex = snapshot.Index;
            Incomplete = false;
        }
        else if (snapshot.Index > _log.Committed)
        {
            if (_log.MatchTerm(snapshot.Index, snapshot.Term))
            {
                // We already have the snapshot's last entry: just fast-forward the commit (Raft §7).
                _log.CommitTo(snapshot.Index);
                ackIndex = snapshot.Index;
            }
            else
            {
                _log.Restore(snapshot);
                _stateSnapshot = null;
                ackIndex = snapshot.Index;

                // A leader's complete snapshot makes an incomplete node complete; a filtered one makes it incomplete.
                Incomplete = snapshot.Filtered;
            }
        }

        Send(new Message { Type = MessageType.AppResp, To = m.From, Index = ackIndex, Priority = _config.LeaderPriority, Incomplete = Incomplete });
    }
}
