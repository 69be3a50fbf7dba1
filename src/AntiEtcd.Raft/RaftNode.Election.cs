namespace AntiEtcd.Raft;

/// <summary>Terms, roles, elections, pre-vote, check-quorum and message dispatch.</summary>
public sealed partial class RaftNode
{
    private void TickElection()
    {
        _electionElapsed++;
        if (Promotable && PastElectionTimeout())
        {
            _electionElapsed = 0;
            StartCampaign(_config.PreVote, transfer: false);
        }
    }

    private bool PastElectionTimeout()
    {
        if (Incomplete && _voters.Length > 1 && _ticksSinceLeader < 3L * ElectionTicks)
        {
            // SPEC §8.2: an incomplete node lets a complete one win first.
            return false;
        }

        return _electionElapsed >= _randomizedElectionTimeout;
    }

    private void TickHeartbeat()
    {
        _heartbeatElapsed++;
        _electionElapsed++;
        _priorityElapsed++;
        if (_electionElapsed >= ElectionTicks)
        {
            _electionElapsed = 0;
            if (_config.CheckQuorum)
            {
                if (!QuorumActive())
                {
                    // Raft thesis §6.2: a leader cut off from a majority steps down rather than serve stale reads.
                    BecomeFollower(Term, NodeId.None);
                    return;
                }

                foreach (var (id, pr) in _progress)
                {
                    pr.RecentActive = id == Id;
                }
            }

            LeadTransferee = NodeId.None; // abandon a transfer that did not finish within an election timeout
        }

        if (_heartbeatElapsed >= _config.HeartbeatTicks)
        {
            _heartbeatElapsed = 0;
            BroadcastHeartbeat(LastPendingReadContext());
        }

        MaybeTransferToHigherPriority();
    }

    private bool QuorumActive()
    {
        var active = 0;
        foreach (var v in _voters)
        {
            if (v == Id || _progress[v].RecentActive)
            {
                active++;
            }
        }

        return active >= Quorum.Majority(_voters.Length);
    }

    private void MaybeTransferToHigherPriority()
    {
        if (!LeadTransferee.IsNone || _priorityElapsed < ElectionTicks)
        {
            return;
        }

        var best = NodeId.None;
        var bestPriority = _config.LeaderPriority;
        foreach (var v in _voters)
        {
            if (v == Id)
            {
                continue;
            }

            var pr = _progress[v];
            if (pr.Priority > bestPriority && pr.Match == _log.LastIndex && pr.RecentActive)
            {
                best = v;
                bestPriority = pr.Priority;
            }
        }

        if (!best.IsNone)
        {
            _priorityElapsed = 0;
            TransferLeadership(best);
        }
    }

    private void Reset(ulong term)
    {
        if (Term != term)
        {
            Term = term;
            Vote = NodeId.None;
        }

        Leader = NodeId.None;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        _randomizedElectionTimeout = ElectionTicks + _random.Next(ElectionTicks);
        LeadTransferee = NodeId.None;
        _votes.Clear();
        _progress.Clear();
        _readIndexRequests.Clear();
        _pendingReadIndex.Clear();
        _needBroadcast = false;
        _snapshotWanted = null;
    }

    private void BecomeFollower(ulong term, NodeId leader)
    {
        Reset(term);
        Leader = leader;
        Role = RaftRole.Follower;
    }

    private void BecomePreCandidate()
    {
        // Pre-vote changes neither term nor vote (Raft thesis §9.6).
        _votes.Clear();
        _progress.Clear();
        Leader = NodeId.None;
        Role = RaftRole.PreCandidate;
    }

    private void BecomeCandidate()
    {
        Reset(Term + 1);
        Vote = Id;
        Role = RaftRole.Candidate;
    }

    private void BecomeLeader()
    {
        Reset(Term);
        Leader = Id;
        Role = RaftRole.Leader;
        _priorityElapsed = 0;
        var next = _log.LastIndex + 1;
        foreach (var v in _voters)
        {
            var pr = new Progress(next, _config.MaxInflightMessages);
            if (v == Id)
            {
                pr.Match = _log.PersistedIndex;
                pr.RecentActive = true;
                pr.BecomeReplicate(); // the leader's own log is always in sync with itself
                pr.Next = next;
            }

            _progress[v] = pr;
        }

        // Raft §5.4.2 and §8: commit an entry of our own term at once, which also commits everything before it
        // and lets read-index requests be served.
        AppendEntry(new Entry(Term, next, EntryType.Empty, ReadOnlyMemory<byte>.Empty));
        _needBroadcast = true;
    }

    private void StartCampaign(bool preVote, bool transfer)
    {
        if (!Promotable)
        {
            return;
        }

        ulong term;
        MessageType type;
        if (preVote)
        {
            BecomePreCandidate();
            term = Term + 1;
            type = MessageType.PreVote;
        }
        else
        {
            BecomeCandidate();
            term = Term;
            type = MessageType.Vote;
        }

        if (Poll(Id, granted: true) == VoteResult.Won)
        {
            // One-node cluster: our own vote is a majority.
            if (preVote)
            {
                StartCampaign(preVote: false, transfer);
            }
            else
            {
                BecomeLeader();
            }

            return;
        }

        foreach (var v in _voters)
        {
            if (v != Id)
            {
                Send(new Message { Type = type, To = v, Index = _log.LastIndex, LogTerm = _log.LastTerm, Transfer = transfer }, term);
            }
        }
    }

    private VoteResult Poll(NodeId from, bool granted)
    {
        _votes.TryAdd(from, granted);
        var yes = 0;
        var no = 0;
        foreach (var (_, g) in _votes)
        {
            if (g)
            {
                yes++;
            }
            else
            {
                no++;
            }
        }

        return Quorum.Tally(yes, no, _voters.Length);
    }

    private void StepInternal(Message m)
    {
        if (m.Term > Term)
        {
            if (m.Type is MessageType.Vote or MessageType.PreVote)
            {
                // Raft thesis §9.6 / §4.2.3: while a follower hears from a live leader it ignores vote requests,
                // so a rejoining node cannot depose it. Transfers are the deliberate exception.
                var inLease = _config.CheckQuorum && !Leader.IsNone && _electionElapsed < ElectionTicks;
                if (inLease && !m.Transfer)
                {
                    return;
                }
            }

            if (m.Type == MessageType.PreVote || (m.Type == MessageType.PreVoteResp && !m.Reject))
            {
                // A pre-vote is about a term nobody has entered yet: never adopt it.
            }
            else if (m.Type is MessageType.App or MessageType.Heartbeat or MessageType.Snap)
            {
                BecomeFollower(m.Term, m.From);
            }
            else
            {
                BecomeFollower(m.Term, NodeId.None);
            }
        }
        else if (m.Term < Term)
        {
            if ((_config.CheckQuorum || _config.PreVote) && m.Type is MessageType.App or MessageType.Heartbeat)
            {
                // A stale leader that can no longer win an election (its term is behind, pre-vote keeps ours from
                // rising needlessly) must learn the new term, or it would stay leader of a minority forever.
                Send(new Message { Type = MessageType.AppResp, To = m.From });
            }
            else if (m.Type == MessageType.PreVote)
            {
                Send(new Message { Type = MessageType.PreVoteResp, To = m.From, Reject = true });
            }

            return;
        }

        if (m.Type is MessageType.Vote or MessageType.PreVote)
        {
            HandleVoteRequest(m);
            return;
        }

        switch (Role)
        {
            case RaftRole.Leader:
                StepLeader(m);
                break;
            case RaftRole.Candidate:
            case RaftRole.PreCandidate:
                StepCandidate(m);
                break;
            default:
                StepFollower(m);
                break;
        }
    }

    private bool VotesSuppressed =>
        _config.InMemory && _voters.Length > 1 && !_heardFromLeader && _ticksSinceStart < 2L * ElectionTicks;

    /// <summary>
    /// Whether an in-memory node knows the candidate lacks a committed entry: its log ends before an index a leader
    /// showed this node to be committed. Raft's up-to-date check relies on the voter still holding what it
    /// acknowledged; a restarted in-memory node holds nothing, so without this it would elect a lagging node over
    /// writes that the leader and this node's previous life had committed (SPEC §9.5). A node with
    /// <c>--data</c> holds its log, so the up-to-date check already covers it.
    /// </summary>
    private bool LacksKnownCommitted(Message m) => _config.InMemory && m.Index < _knownCommitted;

    private void HandleVoteRequest(Message m)
    {
        var respType = m.Type == MessageType.Vote ? MessageType.VoteResp : MessageType.PreVoteResp;
        // Raft §5.2: at most one vote per term. A pre-vote for a later term commits to nothing.
        var canVote = Vote == m.From
            || (Vote.IsNone && Leader.IsNone)
            || (m.Type == MessageType.PreVote && m.Term > Term)
            || (m.Type == MessageType.Vote && (Bugs & RaftBugs.GrantTwoVotesInTerm) != 0 && Leader.IsNone);
        // Raft §5.4.1: only for a candidate whose log is at least as up to date as ours.
        var upToDate = (Bugs & RaftBugs.SkipUpToDateCheck) != 0 || _log.IsUpToDate(m.Index, m.LogTerm);
        if (canVote && upToDate && !VotesSuppressed && !LacksKnownCommitted(m))
        {
            Send(new Message { Type = respType, To = m.From }, m.Term);
            if (m.Type == MessageType.Vote)
            {
                _electionElapsed = 0;
                Vote = m.From;
            }
        }
        else
        {
            Send(new Message { Type = respType, To = m.From, Reject = true });
        }
    }

    private void StepCandidate(Message m)
    {
        switch (m.Type)
        {
            case MessageType.App:
            case MessageType.Heartbeat:
            case MessageType.Snap:
                // Raft §5.2: a candidate that hears from a leader of its term (or later) returns to follower.
                BecomeFollower(m.Term, m.From);
                StepFollower(m);
                break;
            case MessageType.VoteResp when Role == RaftRole.Candidate:
            case MessageType.PreVoteResp when Role == RaftRole.PreCandidate:
                switch (Poll(m.From, !m.Reject))
                {
                    case VoteResult.Won:
                        if (Role == RaftRole.PreCandidate)
                        {
                            StartCampaign(preVote: false, transfer: false);
                        }
                        else
                        {
                            BecomeLeader();
                        }

                        break;
                    case VoteResult.Lost:
                        BecomeFollower(Term, NodeId.None);
                        break;
                    default:
                        break;
                }

                break;
            default:
                break;
        }
    }

    private void StepFollower(Message m)
    {
        switch (m.Type)
        {
            case MessageType.App:
                HeardFromLeader(m.From, m.Commit);
                HandleAppend(m);
                break;
            case MessageType.Heartbeat:
                HeardFromLeader(m.From, m.Commit);
                HandleHeartbeat(m);
                break;
            case MessageType.Snap:
                HeardFromLeader(m.From, m.Snapshot?.Index ?? 0);
                HandleSnapshot(m);
                break;
            case MessageType.TimeoutNow:
                // Raft thesis §3.10: the leader asked us to take over; skip pre-vote, votes ignore leases.
                StartCampaign(preVote: false, transfer: true);
                break;
            case MessageType.ReadIndexResp:
                _readStates.Add(new ReadState(m.Index, m.Context));
                break;
            default:
                break;
        }
    }

    private void HeardFromLeader(NodeId leader, ulong committed)
    {
        _knownCommitted = Math.Max(_knownCommitted, committed);
        _electionElapsed = 0;
        Leader = leader;
        _heardFromLeader = true;
        _ticksSinceLeader = 0;
    }
}
