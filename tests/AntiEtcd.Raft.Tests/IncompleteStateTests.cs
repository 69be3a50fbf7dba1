using AntiEtcd.Raft.Tests.TestKit;

namespace AntiEtcd.Raft.Tests;

/// <summary>
/// SPEC §9.4 in the core: a complete leader replaces an incomplete follower's state with a snapshot of its own, taken
/// for it, and never one that could drop an entry the follower acknowledged; an incomplete leader sends none.
/// </summary>
public sealed class IncompleteStateTests
{
    /// <summary>3 nodes, 1 leads and has committed entries; 2 then says it is incomplete.</summary>
    private static InteractionEnv ClusterWithIncompleteFollower()
    {
        var env = new InteractionEnv().AddNodes(3).Elect(1);
        env.Propose(1, "a");
        env.Propose(1, "b");
        env.Stabilize();
        env.Raft(2).Incomplete = true;
        env.Tick(1); // heartbeat; 2 answers with its incompleteness
        return env;
    }

    [Fact]
    public void CompleteLeaderAsksForASnapshotAtOrPastTheFollowersLogAndStopsSendingItEntries()
    {
        var env = ClusterWithIncompleteFollower();
        env.ProcessReady(1);
        env.DeliverMessages();
        env.ProcessReady(2);
        env.DeliverMessages(to: 1);
        env.ProcessReady(1);
        Assert.Equal([env.Raft(1).Commit], env[1].SnapshotsWanted);

        // No entries go to 2 while its snapshot is being taken; 3 still gets them.
        env.Propose(1, "c");
        env.ProcessReady(1);
        Assert.DoesNotContain(env.InFlight, m => m.To.Value == 2 && m.Type == MessageType.App);
        Assert.Contains(env.InFlight, m => m.To.Value == 3 && m.Type == MessageType.App);
        env.DeliverMessages(to: 3);
        env.Stabilize();

        var applied = env[1].AppliedIndex;
        env[1].Storage.CreateSnapshot(applied, "complete"u8.ToArray());
        env.Raft(1).SendRequestedSnapshots();
        env.ProcessReady(1);
        var snap = Assert.Single(env.InFlight, m => m.Type == MessageType.Snap);
        Assert.Equal(2UL, snap.To.Value);
        Assert.Equal(applied, snap.Snapshot!.Index);

        // 2 lacks the entries after it: it installs the snapshot as any follower would, and is complete from then on.
        env.Stabilize();
        Assert.False(env.Raft(2).Incomplete);
        Assert.Equal(applied, env[2].AppliedIndex);
        Assert.Equal(env.Raft(1).LastIndex, env.Raft(2).LastIndex);
        Assert.Equal(env.Raft(1).Commit, env.Raft(2).Commit);
    }

    [Fact]
    public void SnapshotBelowTheFollowersCommitIsIgnoredAndAskedForAgain()
    {
        var env = ClusterWithIncompleteFollower();
        env.Stabilize();
        Assert.True(env.Raft(2).Incomplete);

        // A stale stored snapshot (index 1) is below 2's commit: 2 cannot go back to it, and stays incomplete.
        var asked = env[1].SnapshotsWanted.Count;
        env[1].Storage.CreateSnapshot(1, "old"u8.ToArray());
        env.Raft(1).SendRequestedSnapshots();
        env.Raft(1).ReportSnapshot(new NodeId(2), success: true); // as the transport does once it is sent
        env.Stabilize();
        Assert.True(env.Raft(2).Incomplete);
        Assert.Empty(env[2].StateSnapshots);

        // Asked again at 2's answer.
        Assert.Equal(asked + 1, env[1].SnapshotsWanted.Count);
        var snapshotIndex = env[1].AppliedIndex;
        env[1].Storage.CreateSnapshot(snapshotIndex, "new"u8.ToArray());
        env.Raft(1).SendRequestedSnapshots();
        env.Stabilize();
        Assert.False(env.Raft(2).Incomplete);
        Assert.Equal(snapshotIndex, Assert.Single(env[2].StateSnapshots).Index);
    }

    [Fact]
    public void FilteredSnapshotDoesNotReplaceAnIncompleteFollowersState()
    {
        var env = new InteractionEnv().AddNodes(2).Elect(1);
        env.Propose(1, "a");
        env.Stabilize();
        var follower = env.Raft(2);
        follower.Incomplete = true;
        var commit = follower.Commit;
        follower.Step(new Message
        {
            Type = MessageType.Snap,
            From = new NodeId(1),
            To = new NodeId(2),
            Term = env.Raft(1).Term,
            Snapshot = new Snapshot(new SnapshotMetadata(commit, env.Raft(1).Term, [new NodeId(1), new NodeId(2)]), "x"u8.ToArray()) { Filtered = true },
        });
        var rd = follower.GetReady();
        Assert.Null(rd.Snapshot);
        Assert.True(follower.Incomplete);
        var answer = Assert.Single(rd.MessagesAfterPersist);
        Assert.True(answer.Incomplete);
    }

    [Fact]
    public void IncompleteLeaderAsksForNoSnapshot()
    {
        var env = ClusterWithIncompleteFollower();
        env.Raft(1).Incomplete = true;
        for (var i = 0; i < 5; i++)
        {
            env.Tick(1);
            env.Stabilize();
        }

        Assert.Empty(env[1].SnapshotsWanted);
        Assert.DoesNotContain(env.InFlight, m => m.Type == MessageType.Snap);
        Assert.True(env.Raft(2).Incomplete);
    }

    /// <summary>
    /// Found by the simulation: an append sent before the leader checked Match can reach the follower, and be
    /// acknowledged and counted, before the snapshot. Installing the state must keep those entries.
    /// </summary>
    [Fact]
    public void EntriesAfterTheSnapshotSurviveTheInstall()
    {
        var env = new InteractionEnv().AddNodes(2).Elect(1);
        env.Propose(1, "a");
        env.Stabilize();
        var follower = env.Raft(2);
        var at = follower.Commit;
        env.Propose(1, "b");
        env.Propose(1, "c");
        env.ProcessReady(1);
        env.DeliverMessages(to: 2);
        env.ProcessReady(2);
        var last = follower.LastIndex;

        // Incomplete from here (the leader has not heard it yet), and a complete snapshot at an earlier index comes.
        follower.Incomplete = true;
        Assert.True(last > at);
        follower.Step(new Message
        {
            Type = MessageType.Snap,
            From = new NodeId(1),
            To = new NodeId(2),
            Term = env.Raft(1).Term,
            Snapshot = new Snapshot(new SnapshotMetadata(at, env.Raft(1).Term, [new NodeId(1), new NodeId(2)]), "state"u8.ToArray()),
        });
        var rd = follower.GetReady();
        Assert.Equal(at, rd.StateSnapshot!.Index);
        Assert.Null(rd.Snapshot);
        Assert.False(follower.Incomplete);
        Assert.Equal(last, follower.LastIndex);
        env[2].Persist(rd);
        env[2].Apply(rd);
        follower.Advance(rd);
        env.Stabilize();
        Assert.Equal(env.Raft(1).Commit, follower.Commit);
        Assert.Equal(follower.Commit, env[2].AppliedIndex);
    }
}
