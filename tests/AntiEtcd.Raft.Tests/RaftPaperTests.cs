using AntiEtcd.Raft.Tests.TestKit;
using static AntiEtcd.Raft.Tests.TestKit.Harness;

namespace AntiEtcd.Raft.Tests;

/// <summary>
/// One test per claim of the Raft paper (Ongaro and Ousterhout, "In Search of an Understandable Consensus
/// Algorithm", extended version) and of the thesis where TinyRaft relies on it. Each cites its section.
/// Pre-vote and check-quorum are off unless the claim is about them, as in the paper.
/// </summary>
public sealed class RaftPaperTests
{
    /// <summary>§5.1: "If one server's current term is smaller than the other's, then it updates its current term
    /// to the larger value. If a candidate or leader discovers that its term is out of date, it immediately reverts
    /// to follower state."</summary>
    [Theory]
    [InlineData(RaftRole.Follower)]
    [InlineData(RaftRole.Candidate)]
    [InlineData(RaftRole.Leader)]
    public void UpdateTermFromMessage(RaftRole role)
    {
        var env = new InteractionEnv().AddNodes(3);
        if (role == RaftRole.Leader)
        {
            env.Elect(1);
        }
        else if (role == RaftRole.Candidate)
        {
            env.Raft(1).Campaign();
        }

        var r = env.Raft(1);
        Assert.Equal(role, r.Role);
        r.Step(Msg(MessageType.App, 2, 1, r.Term + 5) with { Index = 0, LogTerm = 0 });
        Assert.Equal(RaftRole.Follower, r.Role);
        Assert.Equal(new NodeId(2), r.Leader);
    }

    /// <summary>§5.1: "If a server receives a request with a stale term number, it rejects the request."</summary>
    [Fact]
    public void RejectStaleTermMessage()
    {
        var storage = Storage(3, hardState: new HardState(2, NodeId.None, 0));
        var r = Node(1, 3, storage);
        r.Step(Msg(MessageType.App, 2, 1, 1) with { Entries = [new Entry(1, 1, EntryType.Normal, new byte[] { 1 })] });
        Assert.Equal(0UL, r.LastIndex);
        Assert.Equal(2UL, r.Term);
        Assert.True(r.Leader.IsNone);
    }

    /// <summary>§5.2: "When servers start up, they begin as followers."</summary>
    [Fact]
    public void StartAsFollower()
    {
        var r = Node(1, 3);
        Assert.Equal(RaftRole.Follower, r.Role);
        Assert.Equal(0UL, r.Term);
    }

    /// <summary>§5.2: "Leaders send periodic heartbeats (AppendEntries RPCs that carry no log entries) to all
    /// followers in order to maintain their authority."</summary>
    [Fact]
    public void LeaderBroadcastsHeartbeats()
    {
        var env = new InteractionEnv().AddNodes(3).Elect(1);
        env.Tick(1);
        var (node, storage) = (env.Raft(1), env[1].Storage);
        var msgs = Drain(node, storage);
        Assert.Equal(2, msgs.Count(m => m.Type == MessageType.Heartbeat));
        Assert.All(msgs.Where(m => m.Type == MessageType.Heartbeat), m => Assert.Equal(node.Term, m.Term));
    }

    /// <summary>§5.2: "If a follower receives no communication over a period of time called the election timeout,
    /// then ... it increments its current term and transitions to candidate state. It then votes for itself and
    /// issues RequestVote RPCs in parallel to each of the other servers." Also for a candidate whose election
    /// timed out ("start a new election by incrementing its term").</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FollowerAndCandidateStartElectionOnTimeout(bool alreadyCandidate)
    {
        var storage = Storage(3);
        var r = Node(1, 3, storage);
        if (alreadyCandidate)
        {
            r.Campaign();
            Drain(r, storage);
        }

        var term = r.Term;
        for (var i = 0; i < 20; i++)
        {
            r.Tick();
        }

        Assert.Equal(RaftRole.Candidate, r.Role);
        Assert.True(r.Term > term);
        Assert.Equal(new NodeId(1), r.Vote);
        var msgs = Drain(r, storage).Where(m => m.Type == MessageType.Vote && m.Term == r.Term).ToList();
        Assert.Equal([2UL, 3UL], msgs.Select(m => m.To.Value).Order());
    }

    /// <summary>§5.2: "A candidate wins an election if it receives votes from a majority of the servers in the full
    /// cluster for the same term"; it loses when a majority refuses, and keeps waiting otherwise.</summary>
    [Theory]
    [InlineData(1, new int[0], RaftRole.Leader)]
    [InlineData(3, new[] { 2 }, RaftRole.Leader)]
    [InlineData(3, new[] { -2 }, RaftRole.Candidate)]
    [InlineData(3, new[] { -2, -3 }, RaftRole.Follower)]
    [InlineData(5, new[] { 2, 3 }, RaftRole.Leader)]
    [InlineData(5, new[] { 2, -3, -4 }, RaftRole.Candidate)]
    [InlineData(5, new[] { -2, -3, -4 }, RaftRole.Follower)]
    public void LeaderElectionInOneRound(int size, int[] votes, RaftRole expected)
    {
        var storage = Storage(size);
        var r = Node(1, size, storage);
        r.Campaign();
        foreach (var v in votes)
        {
            r.Step(Msg(MessageType.VoteResp, (ulong)Math.Abs(v), 1, r.Term) with { Reject = v < 0 });
        }

        Assert.Equal(expected, r.Role);
        Assert.Equal(1UL, r.Term);
    }

    /// <summary>§5.2: "Each server will vote for at most one candidate in a given term, on a first-come-first-served basis."</summary>
    [Theory]
    [InlineData(0UL, 2UL, false)]
    [InlineData(0UL, 3UL, false)]
    [InlineData(2UL, 2UL, false)]
    [InlineData(3UL, 3UL, false)]
    [InlineData(2UL, 3UL, true)]
    [InlineData(3UL, 2UL, true)]
    public void FollowerVotesOncePerTerm(ulong votedFor, ulong candidate, bool rejected)
    {
        var storage = Storage(3, hardState: new HardState(1, new NodeId(votedFor), 0));
        var r = Node(1, 3, storage);
        r.Step(Msg(MessageType.Vote, candidate, 1, 1));
        var resp = Assert.Single(Drain(r, storage));
        Assert.Equal(MessageType.VoteResp, resp.Type);
        Assert.Equal(rejected, resp.Reject);
        Assert.Equal(rejected ? new NodeId(votedFor) : new NodeId(candidate), r.Vote);
    }

    /// <summary>§5.2: "If the leader's term ... is at least as large as the candidate's current term, then the
    /// candidate recognizes the leader as legitimate and returns to follower state."</summary>
    [Fact]
    public void CandidateFallsBackToFollower()
    {
        var r = Node(1, 3);
        r.Campaign();
        Assert.Equal(RaftRole.Candidate, r.Role);
        r.Step(Msg(MessageType.App, 2, 1, r.Term));
        Assert.Equal(RaftRole.Follower, r.Role);
        Assert.Equal(new NodeId(2), r.Leader);
        Assert.Equal(1UL, r.Term);
    }

    /// <summary>§5.2: "Raft uses randomized election timeouts ... chosen randomly from a fixed interval" — we use
    /// [ElectionTicks, 2 × ElectionTicks), and every value is reached.</summary>
    [Fact]
    public void ElectionTimeoutIsRandomized()
    {
        var seen = new HashSet<int>();
        for (var seed = 0; seed < 200; seed++)
        {
            var r = Node(1, 3, seed: seed);
            var ticks = 0;
            while (r.Role == RaftRole.Follower)
            {
                r.Tick();
                ticks++;
            }

            Assert.InRange(ticks, 10, 19);
            seen.Add(ticks);
        }

        Assert.Equal(10, seen.Count);
    }

    /// <summary>§5.2: randomization means "in most cases only a single server will time out": two nodes with
    /// independent randomness rarely time out on the same tick.</summary>
    [Fact]
    public void ElectionTimeoutsRarelyConflict()
    {
        var conflicts = 0;
        for (var seed = 0; seed < 500; seed++)
        {
            var a = Node(1, 3, seed: seed * 2);
            var b = Node(2, 3, seed: (seed * 2) + 1);
            while (a.Role == RaftRole.Follower && b.Role == RaftRole.Follower)
            {
                a.Tick();
                b.Tick();
            }

            if (a.Role == b.Role)
            {
                conflicts++;
            }
        }

        Assert.InRange(conflicts, 0, 100); // expected about 1/10
    }

    /// <summary>§5.3: "The leader appends the command to its log as a new entry, then issues AppendEntries RPCs in
    /// parallel to each of the other servers" — before its own write is durable (thesis §10.2.1).</summary>
    [Fact]
    public void LeaderStartsReplicationBeforeOwnPersist()
    {
        var env = new InteractionEnv().AddNodes(3).Elect(1);
        var r = env.Raft(1);
        var res = env.Propose(1, "x");
        var rd = r.GetReady();
        Assert.Equal([res.Index], rd.Entries.Select(e => e.Index));
        var apps = rd.Messages.Where(m => m.Type == MessageType.App).ToList();
        Assert.Equal(2, apps.Count);
        Assert.All(apps, m =>
        {
            Assert.Equal(res.Index - 1, m.Index);
            Assert.Equal(r.Term, m.LogTerm);
            Assert.Equal(r.Commit, m.Commit);
            Assert.Equal(res.Index, Assert.Single(m.Entries).Index);
        });
        r.Advance(rd);
    }

    /// <summary>§5.3: "A log entry is committed once the leader that created the entry has replicated it on a
    /// majority of the servers" — counting the leader itself only once its own copy is persisted (thesis §10.2.1).</summary>
    [Theory]
    [InlineData(3, 0, false, false)]
    [InlineData(3, 1, false, false)]
    [InlineData(3, 1, true, true)]
    [InlineData(3, 2, false, true)]
    [InlineData(5, 1, true, false)]
    [InlineData(5, 2, true, true)]
    [InlineData(5, 2, false, false)]
    [InlineData(5, 4, false, true)]
    public void LeaderCommitsOnMajority(int size, int acks, bool leaderPersisted, bool committed)
    {
        var env = new InteractionEnv().AddNodes(size).Elect(1);
        var r = env.Raft(1);
        var res = env.Propose(1, "x");
        var rd = r.GetReady();
        if (leaderPersisted)
        {
            env[1].Persist(rd);
            r.Advance(rd);
        }

        for (var i = 0; i < acks; i++)
        {
            r.Step(Msg(MessageType.AppResp, (ulong)i + 2, 1, r.Term) with { Index = res.Index });
        }

        Assert.Equal(committed, r.Commit == res.Index);
    }

    /// <summary>§5.3: "This also commits all preceding entries in the leader's log, including entries created by previous leaders."</summary>
    [Fact]
    public void CommitCommitsPrecedingEntries()
    {
        // Node 1 holds entries of terms 1 and 2 that were never committed; it wins term 3.
        var storage = Storage(3, [1, 2], new HardState(2, NodeId.None, 0));
        var r = Node(1, 3, storage);
        r.Campaign();
        Drain(r, storage);
        r.Step(Msg(MessageType.VoteResp, 2, 1, 3));
        Assert.Equal(RaftRole.Leader, r.Role);
        Drain(r, storage); // persists the no-op at index 3
        r.Step(Msg(MessageType.AppResp, 2, 1, 3) with { Index = 3 });
        Assert.Equal(3UL, r.Commit);
    }

    /// <summary>§5.3: "Once a follower learns that a log entry is committed, it applies the entry to its local state machine (in log order)."</summary>
    [Fact]
    public void FollowerAppliesCommittedEntriesInOrder()
    {
        var env = new InteractionEnv().AddNodes(3).Elect(1);
        env.Propose(1, "a");
        env.Propose(1, "b");
        env.Stabilize();
        foreach (var id in new ulong[] { 2, 3 })
        {
            Assert.Equal([1UL, 2UL, 3UL], env[id].Applied.Select(e => e.Index));
            Assert.Equal(3UL, env.Raft(id).Commit);
        }
    }

    /// <summary>§5.3: "If the follower does not find an entry in its log with the same index and term, then it refuses the new entries."</summary>
    [Theory]
    [InlineData(0UL, 0UL, false)]
    [InlineData(2UL, 2UL, false)]
    [InlineData(1UL, 1UL, false)]
    [InlineData(2UL, 1UL, true)]
    [InlineData(3UL, 3UL, true)]
    public void FollowerChecksPreviousEntry(ulong prevTerm, ulong prevIndex, bool rejected)
    {
        var storage = Storage(3, [1, 2], new HardState(2, NodeId.None, 0));
        var r = Node(1, 3, storage);
        r.Step(Msg(MessageType.App, 2, 1, 2) with { Index = prevIndex, LogTerm = prevTerm });
        var resp = Assert.Single(Drain(r, storage));
        Assert.Equal(MessageType.AppResp, resp.Type);
        Assert.Equal(rejected, resp.Reject);
    }

    /// <summary>§5.3: "If an existing entry conflicts with a new one (same index but different terms), delete the
    /// existing entry and all that follow it; append any new entries not already in the log."</summary>
    [Theory]
    [InlineData(2UL, 2UL, new ulong[] { 3 }, new ulong[] { 1, 2, 3 })]
    [InlineData(1UL, 1UL, new ulong[] { 3, 4 }, new ulong[] { 1, 3, 4 })]
    [InlineData(0UL, 0UL, new ulong[] { 1 }, new ulong[] { 1, 2 })]
    [InlineData(0UL, 0UL, new ulong[] { 3 }, new ulong[] { 3 })]
    public void FollowerAppendsAndTruncatesConflicts(ulong prevIndex, ulong prevTerm, ulong[] newTerms, ulong[] expectedTerms)
    {
        var storage = Storage(3, [1, 2], new HardState(2, NodeId.None, 0));
        var r = Node(1, 3, storage);
        var entries = newTerms.Select((t, i) => new Entry(t, prevIndex + (ulong)i + 1, EntryType.Normal, new byte[] { 9 })).ToList();
        r.Step(Msg(MessageType.App, 2, 1, 4) with { Index = prevIndex, LogTerm = prevTerm, Entries = entries });
        Drain(r, storage);
        var log = storage.Entries(1, storage.LastIndex + 1, ulong.MaxValue).Select(e => e.Term);
        Assert.Equal(expectedTerms, log);
    }

    /// <summary>§5.3 and Figure 7: "the leader must find the latest log entry where the two logs agree, delete any
    /// entries in the follower's log after that point, and send the follower all of the leader's entries after that point."</summary>
    [Theory]
    [InlineData(new ulong[] { 1, 1, 1, 4, 4, 5, 5, 6, 6 })] // (a)
    [InlineData(new ulong[] { 1, 1, 1, 4 })] // (b)
    [InlineData(new ulong[] { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6 })] // (c)
    [InlineData(new ulong[] { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7 })] // (d)
    [InlineData(new ulong[] { 1, 1, 1, 4, 4, 4, 4 })] // (e)
    [InlineData(new ulong[] { 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3 })] // (f)
    public void LeaderSyncsFollowerLog(ulong[] followerTerms)
    {
        ulong[] leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
        const ulong term = 8;
        var ls = Storage(3, leaderTerms, new HardState(term - 1, NodeId.None, 0));
        var fs = Storage(3, followerTerms, new HardState(term - 1, NodeId.None, 0));
        var leader = Node(1, 3, ls);
        var follower = Node(2, 3, fs);
        leader.Campaign();
        // Node 3 (not simulated) grants the vote; the follower under test may refuse (its log can be newer).
        Drain(leader, ls);
        leader.Step(Msg(MessageType.VoteResp, 3, 1, term));
        Assert.Equal(RaftRole.Leader, leader.Role);
        var inFlight = Drain(leader, ls);
        for (var round = 0; round < 100 && inFlight.Count > 0; round++)
        {
            var next = new List<Message>();
            foreach (var m in inFlight)
            {
                if (m.To.Value == 2)
                {
                    follower.Step(m);
                    next.AddRange(Drain(follower, fs));
                }
                else if (m.To.Value == 1)
                {
                    leader.Step(m);
                }
            }

            next.AddRange(Drain(leader, ls));
            inFlight = next;
        }

        Assert.Equal(
            ls.Entries(1, ls.LastIndex + 1, ulong.MaxValue).Select(e => (e.Term, e.Index)),
            fs.Entries(1, fs.LastIndex + 1, ulong.MaxValue).Select(e => (e.Term, e.Index)));
    }

    /// <summary>§5.4.1: "the voter denies its vote if its own log is more up-to-date than that of the candidate"
    /// (compare last terms, then lengths).</summary>
    [Theory]
    [InlineData(2UL, 2UL, false)]
    [InlineData(3UL, 2UL, false)]
    [InlineData(1UL, 3UL, false)]
    [InlineData(1UL, 2UL, true)]
    [InlineData(1UL, 1UL, true)]
    [InlineData(0UL, 0UL, true)]
    public void VoterRejectsCandidateWithOlderLog(ulong candidateLastIndex, ulong candidateLastTerm, bool rejected)
    {
        var storage = Storage(3, [1, 2], new HardState(2, NodeId.None, 0));
        var r = Node(1, 3, storage);
        r.Step(Msg(MessageType.Vote, 2, 1, 3) with { Index = candidateLastIndex, LogTerm = candidateLastTerm });
        var resp = Assert.Single(Drain(r, storage));
        Assert.Equal(rejected, resp.Reject);
    }

    /// <summary>§5.4.2: "Raft never commits log entries from previous terms by counting replicas. Only log entries
    /// from the leader's current term are committed by counting replicas."</summary>
    [Fact]
    public void LeaderOnlyCommitsEntriesOfCurrentTermByCounting()
    {
        var storage = Storage(3, [1, 2], new HardState(2, NodeId.None, 0));
        var r = Node(1, 3, storage);
        r.Campaign();
        Drain(r, storage);
        r.Step(Msg(MessageType.VoteResp, 2, 1, 3));
        Assert.Equal(RaftRole.Leader, r.Role);
        // Follower 2 acknowledges the old entries (index 2, term 2) but not yet the no-op of term 3.
        r.Step(Msg(MessageType.AppResp, 2, 1, 3) with { Index = 2 });
        Drain(r, storage);
        Assert.Equal(0UL, r.Commit);
        r.Step(Msg(MessageType.AppResp, 2, 1, 3) with { Index = 3 });
        Assert.Equal(3UL, r.Commit);
    }

    /// <summary>§7: "the leader must occasionally send snapshots to followers that lag behind ... when it has
    /// already discarded the next log entry that it needs to send to a follower."</summary>
    [Fact]
    public void LeaderSendsSnapshotToLaggingFollower()
    {
        var env = new InteractionEnv().AddNodes(3).Elect(1);
        env.Isolate(3);
        env.Propose(1, "a");
        env.Propose(1, "b");
        env.Stabilize();
        env[1].Storage.CreateSnapshot(3, new byte[] { 42 });
        env[1].Storage.Compact(3);
        env.Heal();
        env.Tick(1);
        env.Stabilize();
        Assert.Equal(3UL, env[3].Storage.FirstIndex - 1);
        Assert.Equal(3UL, env.Raft(3).Applied);
        Assert.Equal(42, env[3].Storage.GetSnapshot().Data.Span[0]);
    }

    /// <summary>§8 and thesis §6.4: a leader answers a read only after committing an entry of its term and
    /// confirming with a majority that it is still leader.</summary>
    [Fact]
    public void ReadIndexNeedsCurrentTermCommitAndQuorum()
    {
        var env = new InteractionEnv().AddNodes(3);
        env.Raft(1).Campaign();
        env.ProcessReady(1);
        env.DeliverMessages();
        env.ProcessReady(2);
        env.ProcessReady(3);
        env.DeliverMessages(1);
        Assert.Equal(RaftRole.Leader, env.Raft(1).Role);
        env.Raft(1).ReadIndex("r"u8.ToArray());
        env.ProcessReady(1);
        Assert.Empty(env[1].ReadStates); // no entry of term 2 committed yet
        env.Isolate(1);
        env.Stabilize();
        Assert.Empty(env[1].ReadStates); // no quorum
        env.Heal();
        env.Tick(1);
        env.Stabilize();
        var rs = Assert.Single(env[1].ReadStates);
        Assert.Equal(env.Raft(1).Commit, rs.Index);
    }

    /// <summary>Thesis §9.6 (pre-vote): a node that was partitioned away does not raise its term, so it cannot
    /// depose the leader when it returns.</summary>
    [Fact]
    public void PreVoteKeepsPartitionedNodeFromDisrupting()
    {
        var opts = new NodeOptions { PreVote = true, CheckQuorum = true };
        var env = new InteractionEnv().AddNodes(3, opts).Elect(1);
        var term = env.Raft(1).Term;
        env.Isolate(3);
        for (var i = 0; i < 5; i++)
        {
            env.Tick(3, 20);
            env.Stabilize();
        }

        Assert.Equal(term, env.Raft(3).Term);
        env.Heal();
        env.Tick(3, 20);
        env.Stabilize();
        env.Tick(1);
        env.Stabilize();
        Assert.Equal(RaftRole.Leader, env.Raft(1).Role);
        Assert.Equal(term, env.Raft(1).Term);
        Assert.Equal(new NodeId(1), env.Raft(3).Leader);
    }

    /// <summary>Thesis §6.2 (check-quorum): "a leader steps down if an election timeout elapses without a
    /// successful round of heartbeats to a majority of its cluster."</summary>
    [Fact]
    public void CheckQuorumLeaderStepsDown()
    {
        var env = new InteractionEnv().AddNodes(3, new NodeOptions { CheckQuorum = true }).Elect(1);
        env.Isolate(1);
        env.Tick(1, 10);
        env.Stabilize();
        Assert.Equal(RaftRole.Leader, env.Raft(1).Role); // heard from all within the first timeout
        env.Tick(1, 10);
        Assert.Equal(RaftRole.Follower, env.Raft(1).Role);
    }

    /// <summary>
    /// Fast failover (our extension): followers told that the leader's connections are gone campaign within half an
    /// election timeout and grant each other's pre-votes; without the report the lease keeps them waiting.
    /// </summary>
    [Fact]
    public void ReportLeaderLostLetsFollowersElectWithinHalfAnElectionTimeout()
    {
        var env = new InteractionEnv().AddNodes(3, new NodeOptions { PreVote = true, CheckQuorum = true }).Elect(1);
        var term = env.Raft(1).Term;
        env.Isolate(1);
        env.Raft(2).ReportLeaderLost(new NodeId(1));
        env.Raft(3).ReportLeaderLost(new NodeId(1));
        var ticks = 0;
        while (env.Raft(2).Role != RaftRole.Leader && env.Raft(3).Role != RaftRole.Leader && ticks < 10)
        {
            env.Tick(2);
            env.Tick(3);
            env.Stabilize();
            ticks++;
        }

        Assert.True(env.Raft(2).Role == RaftRole.Leader || env.Raft(3).Role == RaftRole.Leader, $"no leader after {ticks} ticks");
        Assert.True(ticks <= 6, $"took {ticks} ticks; ElectionTicks / 2 + 1 = 6");
        Assert.True(env.Raft(2).Term > term);
    }

    /// <summary>ReportLeaderLost is about the current leader only: a stale report neither disturbs nor shortens the lease.</summary>
    [Fact]
    public void ReportLeaderLostForAnotherNodeChangesNothing()
    {
        var env = new InteractionEnv().AddNodes(3, new NodeOptions { PreVote = true, CheckQuorum = true }).Elect(1);
        var term = env.Raft(1).Term;
        env.Raft(2).ReportLeaderLost(new NodeId(3));
        env.Raft(3).ReportLeaderLost(new NodeId(2));
        for (var i = 0; i < 6; i++)
        {
            env.Tick(2);
            env.Tick(3);
            env.Stabilize();
        }

        Assert.Equal(RaftRole.Leader, env.Raft(1).Role);
        Assert.Equal(term, env.Raft(2).Term);
        Assert.Equal(term, env.Raft(3).Term);
    }

    /// <summary>Thesis §3.10: leadership transfer — the leader brings the target up to date and sends TimeoutNow;
    /// the target wins the next term at once.</summary>
    [Fact]
    public void LeadershipTransfer()
    {
        var env = new InteractionEnv().AddNodes(3, new NodeOptions { PreVote = true, CheckQuorum = true }).Elect(1);
        env.Isolate(2);
        env.Propose(1, "a");
        env.Stabilize();
        env.Heal();
        Assert.True(env.Raft(1).TransferLeadership(new NodeId(2)));
        Assert.Equal(ProposeStatus.LeadershipTransferInProgress, env.Propose(1, "b").Status);
        env.Stabilize();
        Assert.Equal(RaftRole.Leader, env.Raft(2).Role);
        Assert.Equal(new NodeId(2), env.Raft(1).Leader);
    }
}
