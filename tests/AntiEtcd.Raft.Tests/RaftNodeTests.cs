using AntiEtcd.Raft.Tests.TestKit;
using static AntiEtcd.Raft.Tests.TestKit.Harness;

namespace AntiEtcd.Raft.Tests;

/// <summary>TinyRaft behaviour beyond the paper: SPEC §8.2 options, flow control, the Ready contract.</summary>
public sealed class RaftNodeTests
{
    /// <summary>SPEC §8.2: "A one-node cluster elects itself at once."</summary>
    [Fact]
    public void OneNodeClusterElectsItselfAtOnce()
    {
        var r = Node(1, 1);
        Assert.Equal(RaftRole.Leader, r.Role);
        Assert.Equal(1UL, r.Term);
    }

    /// <summary>SPEC §8.2: an in-memory node grants no (pre-)vote until 2 × election timeout has passed.</summary>
    [Fact]
    public void InMemoryNodeGrantsNoVoteUntilTwoElectionTimeouts()
    {
        var storage = Storage(3);
        var r = new RaftNode(new RaftConfig { Id = new NodeId(1), Voters = Ids(3), Storage = storage, InMemory = true, PreVote = false, CheckQuorum = false, Random = new Random(1) });
        r.Step(Msg(MessageType.Vote, 2, 1, 1));
        r.Step(Msg(MessageType.PreVote, 3, 1, 2));
        var msgs = Drain(r, storage);
        Assert.All(msgs, m => Assert.True(m.Reject));
        for (var i = 0; i < 20; i++)
        {
            r.Tick();
        }

        Drain(r, storage);
        r.Step(Msg(MessageType.Vote, 2, 1, r.Term + 1));
        var resp = Assert.Single(Drain(r, storage), m => m.Type == MessageType.VoteResp);
        Assert.False(resp.Reject);
    }

    /// <summary>SPEC §8.2: an in-memory node votes again once it has heard from a leader.</summary>
    [Fact]
    public void InMemoryNodeVotesAfterHearingFromLeader()
    {
        var storage = Storage(3);
        var r = new RaftNode(new RaftConfig { Id = new NodeId(1), Voters = Ids(3), Storage = storage, InMemory = true, PreVote = false, CheckQuorum = false, Random = new Random(1) });
        r.Step(Msg(MessageType.Heartbeat, 2, 1, 1));
        Drain(r, storage);
        r.Step(Msg(MessageType.Vote, 3, 1, 2));
        Assert.False(Assert.Single(Drain(r, storage)).Reject);
    }

    /// <summary>SPEC §8.2: a node with incomplete state campaigns only after 3 × election timeout without a leader.</summary>
    [Fact]
    public void IncompleteNodeCampaignsOnlyAfterThreeElectionTimeouts()
    {
        var storage = Storage(3);
        var r = new RaftNode(new RaftConfig { Id = new NodeId(1), Voters = Ids(3), Storage = storage, IncompleteState = true, Random = new Random(1) });
        for (var i = 0; i < 25; i++)
        {
            r.Tick();
        }

        r.Step(Msg(MessageType.Heartbeat, 2, 1, 1)); // a leader restarts the count
        for (var i = 0; i < 29; i++)
        {
            r.Tick();
        }

        Assert.Equal(RaftRole.Follower, r.Role);
        r.Tick();
        Assert.Equal(RaftRole.PreCandidate, r.Role);
    }

    /// <summary>Flow control: at most MaxInflightMessages appends are outstanding to a replicating follower.</summary>
    [Fact]
    public void InflightAppendsAreBounded()
    {
        var env = new InteractionEnv().AddNodes(3, new NodeOptions { MaxInflight = 2, MaxSizePerMessage = 1 }).Elect(1);
        for (var i = 0; i < 5; i++)
        {
            env.Propose(1, $"v{i}");
        }

        env.ProcessReady(1);
        Assert.Equal(2, env.InFlight.Count(m => m.To.Value == 2 && m.Type == MessageType.App));
        env.Stabilize();
        Assert.Equal(env.Raft(1).LastIndex, env.Raft(2).Commit);
        Assert.Equal(env.Raft(1).LastIndex, env.Raft(3).Commit);
    }

    /// <summary>
    /// While every replicating follower's window is full, a leader hands out for persisting only the entries it has
    /// sent; the rest follow with the append that a follower's answer releases, so the leader's fsync covers that batch.
    /// </summary>
    [Fact]
    public void LeaderPersistsEntriesAsItSendsThem()
    {
        var env = new InteractionEnv().AddNodes(3, new NodeOptions { MaxInflight = 1 }).Elect(1);
        var leader = env.Raft(1);
        env.Propose(1, "a");
        Assert.True(env.ProcessReady(1));
        Assert.Equal(2, env.InFlight.Count(m => m.Type == MessageType.App && m.Entries.Count == 1));

        env.Propose(1, "b");
        env.Propose(1, "c");
        var held = leader.GetReady();
        Assert.Empty(held.Entries);
        Assert.DoesNotContain(held.Messages, m => m.Type == MessageType.App);
        Finish(env, 1, held);
        Assert.False(leader.HasReady());

        // Follower 2 persists "a" and answers: the window opens, "b" and "c" go to it and to the leader's disk together.
        env.DeliverMessages(2);
        Assert.True(env.ProcessReady(2));
        env.DeliverMessages(1);
        var released = leader.GetReady();
        Assert.Equal(["b", "c"], released.Entries.Select(e => System.Text.Encoding.UTF8.GetString(e.Data.Span)));
        var append = Assert.Single(released.Messages, m => m.Type == MessageType.App && m.To.Value == 2);
        Assert.Equal(released.Entries.Select(e => e.Index), append.Entries.Select(e => e.Index));
        Finish(env, 1, released);

        env.Stabilize();
        Assert.Equal(leader.LastIndex, env.Raft(3).Commit);
        Assert.Equal(leader.LastIndex, leader.Commit);
    }

    /// <summary>
    /// A follower whose window was full when the commit index moved on learns it with the leader's answer to its
    /// acknowledgement, even with no new entry to send: its clients' writes must not wait for a heartbeat.
    /// </summary>
    [Fact]
    public void FollowerSkippedByTheCommitBroadcastLearnsTheCommitWithoutAHeartbeat()
    {
        var env = new InteractionEnv().AddNodes(3, new NodeOptions { MaxInflight = 1 }).Elect(1);
        env.Propose(1, "a");
        Assert.True(env.ProcessReady(1));
        var index = env.Raft(1).LastIndex;

        // Follower 3 answers first: the entry commits while follower 2's append is still unanswered.
        env.DeliverMessages(3);
        Assert.True(env.ProcessReady(3));
        env.DeliverMessages(1);
        while (env.ProcessReady(1))
        {
        }

        Assert.Equal(index, env.Raft(1).Commit);
        env.DropMessages(3);
        env.DeliverMessages(2);
        Assert.True(env.ProcessReady(2));
        Assert.True(env.Raft(2).Commit < index);
        env.DeliverMessages(1);
        Assert.True(env.ProcessReady(1));
        var commitUpdate = Assert.Single(env.InFlight, m => m.To.Value == 2);
        Assert.Equal(MessageType.App, commitUpdate.Type);
        Assert.Empty(commitUpdate.Entries);
        env.DeliverMessages(2);
        env.ProcessReady(2);
        Assert.Equal(index, env.Raft(2).Commit);
    }

    /// <summary>With no follower replicating (the transport reported both unreachable), a leader persists its entries at once.</summary>
    [Fact]
    public void LeaderWithoutReplicatingFollowersPersistsAtOnce()
    {
        var env = new InteractionEnv().AddNodes(3, new NodeOptions { MaxInflight = 1 }).Elect(1);
        env.Propose(1, "a");
        Assert.True(env.ProcessReady(1));
        env.DropMessages();
        env.Raft(1).ReportUnreachable(new NodeId(2));
        env.Raft(1).ReportUnreachable(new NodeId(3));
        env.Propose(1, "b");
        var rd = env.Raft(1).GetReady();
        Assert.Equal(["b"], rd.Entries.Select(e => System.Text.Encoding.UTF8.GetString(e.Data.Span)));
        Finish(env, 1, rd);
    }

    /// <summary>Does for a Ready taken by hand what <see cref="InteractionEnv.ProcessReady"/> does.</summary>
    private static void Finish(InteractionEnv env, ulong id, Ready rd)
    {
        env.InFlight.AddRange(rd.Messages);
        env[id].Persist(rd);
        env.InFlight.AddRange(rd.MessagesAfterPersist);
        env[id].Apply(rd);
        env.Raft(id).Advance(rd);
    }

    /// <summary>DESIGN §1 step 2: leader appends may go before persistence; votes and acknowledgements only after.</summary>
    [Fact]
    public void ReadySplitsMessagesByPersistence()
    {
        var env = new InteractionEnv().AddNodes(3).Elect(1);
        env.Propose(1, "x");
        var rd = env.Raft(1).GetReady();
        Assert.NotEmpty(rd.Entries);
        Assert.All(rd.Messages, m => Assert.Equal(MessageType.App, m.Type));
        Assert.Empty(rd.MessagesAfterPersist);
        env[1].Persist(rd);
        env.Raft(1).Advance(rd);

        env.Raft(2).Step(rd.Messages.First(m => m.To.Value == 2));
        var frd = env.Raft(2).GetReady();
        Assert.Empty(frd.Messages);
        Assert.Equal(MessageType.AppResp, Assert.Single(frd.MessagesAfterPersist).Type);
        Assert.True(frd.MustSync);
    }

    /// <summary>Ready inputs may arrive between GetReady and Advance; nothing is handed out twice.</summary>
    [Fact]
    public void InputsBetweenReadyAndAdvanceAreKept()
    {
        var env = new InteractionEnv().AddNodes(3).Elect(1);
        var r = env.Raft(1);
        env.Propose(1, "a");
        var rd = r.GetReady();
        Assert.False(r.HasReady());
        Assert.Throws<InvalidOperationException>(() => r.GetReady());
        env.Propose(1, "b");
        env[1].Persist(rd);
        r.Advance(rd);
        var rd2 = r.GetReady();
        Assert.Equal(["b"], rd2.Entries.Select(e => System.Text.Encoding.UTF8.GetString(e.Data.Span)));
        env[1].Persist(rd2);
        r.Advance(rd2);
    }

    /// <summary>A follower without a leader cannot serve read index; one with a leader forwards it.</summary>
    [Fact]
    public void FollowerReadIndex()
    {
        var env = new InteractionEnv().AddNodes(3);
        Assert.Equal(ReadIndexStatus.NoLeader, env.Raft(2).ReadIndex("x"u8.ToArray()));
        env.Elect(1);
        Assert.Equal(ReadIndexStatus.Pending, env.Raft(2).ReadIndex("y"u8.ToArray()));
        env.Stabilize();
        var rs = Assert.Single(env[2].ReadStates);
        Assert.Equal(env.Raft(1).Commit, rs.Index);
    }

    /// <summary>SPEC §8.2 leader_priority: the leader hands over to an up-to-date follower with a higher priority.</summary>
    [Fact]
    public void LeaderPriorityMovesLeadership()
    {
        var env = new InteractionEnv().AddNodes(3, new NodeOptions { PreVote = true, CheckQuorum = true }, (id, o) => o with { Priority = id == 2 ? 3 : 1 }).Elect(1);
        for (var i = 0; i < 3; i++)
        {
            env.Tick(1, 10);
            env.Stabilize();
        }

        Assert.Equal(RaftRole.Leader, env.Raft(2).Role);
        for (var i = 0; i < 3; i++)
        {
            env.Tick(2, 10);
            env.Stabilize();
        }

        Assert.Equal(RaftRole.Leader, env.Raft(2).Role); // and it stays there
    }

    /// <summary>A restarted node recovers term, vote and commit from storage and re-applies nothing it had applied.</summary>
    [Fact]
    public void RestartRecoversFromStorage()
    {
        var env = new InteractionEnv().AddNodes(3).Elect(1);
        env.Propose(1, "a");
        env.Stabilize();
        var term = env.Raft(2).Term;
        env.Restart(2);
        Assert.Equal(term, env.Raft(2).Term);
        Assert.Equal(new NodeId(1), env.Raft(2).Vote);
        Assert.Equal(2UL, env.Raft(2).Commit);
    }

    [Fact]
    public void ConfigIsValidated()
    {
        Assert.Throws<ArgumentException>(() => new RaftNode(new RaftConfig { Id = new NodeId(4), Voters = Ids(3), Storage = Storage(3) }));
        Assert.Throws<ArgumentException>(() => new RaftNode(new RaftConfig { Id = new NodeId(1), Voters = Ids(3), Storage = Storage(3), ElectionTicks = 2, HeartbeatTicks = 2 }));
    }
}
