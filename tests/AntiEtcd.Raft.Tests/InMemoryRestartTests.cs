using AntiEtcd.Raft.Tests.TestKit;

namespace AntiEtcd.Raft.Tests;

/// <summary>
/// SPEC §9.5: an in-memory node restarts with nothing, not even the entries it acknowledged before. The leader's
/// Match for it is then too high; the leader must notice (the follower's rejection hints below Match) and send it
/// the log from the start, or the snapshot. Found by the Jepsen suite (docs/jepsen.md): register, kill, 5 nodes,
/// in memory, seed 106, where two restarted followers stayed at applied 0 while the leader re-sent the same
/// rejected append for a minute.
/// </summary>
public sealed class InMemoryRestartTests
{
    private static readonly NodeId Follower = new(3);

    /// <param name="reportUnreachable">Whether the transport saw the connection end (a kill does that); if not, heartbeats must recover it.</param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LeaderCatchesUpAFollowerThatRestartedWithoutItsLog(bool reportUnreachable)
    {
        var env = UpToDateCluster();
        env.RestartEmpty(Follower.Value);
        if (reportUnreachable)
        {
            env.Raft(1).ReportUnreachable(Follower);
        }

        env.Propose(1, "after");
        env.Stabilize();
        env.Tick(1, 1);
        env.Stabilize();

        AssertCaughtUp(env);
        Assert.Equal(env[1].Applied.Select(InteractionEnv.FormatEntry), env[Follower.Value].Applied.Select(InteractionEnv.FormatEntry));
    }

    [Fact]
    public void FollowerThatRestartedWithoutItsLogGetsTheSnapshotWhenTheLeaderCompactedItsLog()
    {
        var env = UpToDateCluster();
        var leaderStorage = env[1].Storage;
        leaderStorage.CreateSnapshot(4, "state@4"u8.ToArray());
        leaderStorage.Compact(4);

        // The follower's old Match (6) is still inside the leader's log, so only the rejection shows it is empty.
        env.RestartEmpty(Follower.Value);
        env.Raft(1).ReportUnreachable(Follower);
        env.Propose(1, "after");
        env.Stabilize();

        AssertCaughtUp(env);
        Assert.Equal(4UL, env[Follower.Value].Storage.GetSnapshot().Index);
        Assert.Equal(["1/5 \"v3\"", "1/6 \"v4\"", "1/7 \"after\""], env[Follower.Value].Applied.Select(InteractionEnv.FormatEntry));
    }

    /// <summary>
    /// Found by the Jepsen suite (all, mixed, 3 nodes in memory, <c>--snapshot_entries 100</c>, seed 1709): writes
    /// committed by the leader and one follower were lost after one kill. Node 3 lagged; node 2, which had acknowledged
    /// the writes, was killed and restarted empty, heard from the leader (so SPEC §9.5 let it vote again) and, while the
    /// leader was paused, gave node 3 the vote that made it leader without those writes. A node that has heard of a
    /// commit index must not vote for a candidate whose log ends before it: that candidate lacks a committed entry.
    /// </summary>
    [Fact]
    public void RestartedNodeRefusesItsVoteToACandidateLackingEntriesItKnowsAreCommitted()
    {
        var env = new InteractionEnv().AddNodes(3).Elect(1);
        env.Isolate(3);
        env.Propose(1, "w1");
        env.Propose(1, "w2");
        env.Stabilize();
        var committed = env.Raft(1).Commit;
        Assert.True(committed > env.Raft(3).LastIndex, "node 3 should lag behind the writes");

        // Node 2 restarts empty and hears one heartbeat of the leader (it learns the commit index, nothing more).
        env.RestartEmpty(2);
        env.Tick(1, 1);
        env.ProcessReady(1);
        env.DropMessages(3);
        env.DeliverMessages(2);
        env.Isolate(1);
        env.Stabilize();
        Assert.Equal(0UL, env.Raft(2).LastIndex);

        // The leader is cut off; node 3 campaigns with node 2 as its only possible voter.
        env.Heal();
        env.Isolate(1);
        for (var i = 0; i < 5; i++)
        {
            env.Tick(3, 30);
            env.Stabilize();
        }

        Assert.NotEqual(RaftRole.Leader, env.Raft(3).Role);

        // Once the leader is back, every node ends up with the committed writes.
        env.Heal();
        for (var i = 0; i < 5 && env.Raft(2).Commit < committed + 1; i++)
        {
            env.Tick(1, 30);
            env.Tick(2, 30);
            env.Tick(3, 30);
            env.Stabilize();
        }

        foreach (var id in new ulong[] { 1, 2, 3 })
        {
            Assert.Contains("\"w2\"", string.Join(" ", env[id].Applied.Select(InteractionEnv.FormatEntry)), StringComparison.Ordinal);
        }
    }

    /// <summary>Three nodes, leader 1, five writes (indexes 2-6) that every node has stored and applied.</summary>
    private static InteractionEnv UpToDateCluster()
    {
        var env = new InteractionEnv().AddNodes(3).Elect(1);
        for (var i = 0; i < 5; i++)
        {
            env.Propose(1, $"v{i}");
        }

        env.Stabilize();
        Assert.Equal(6UL, env[Follower.Value].AppliedIndex);
        return env;
    }

    private static void AssertCaughtUp(InteractionEnv env)
    {
        var leader = env.Raft(1);
        var follower = env.Raft(Follower.Value);
        Assert.Equal(new NodeId(1), follower.Leader);
        Assert.Equal(leader.LastIndex, follower.LastIndex);
        Assert.Equal(leader.Commit, follower.Commit);
        Assert.Equal(leader.Commit, env[Follower.Value].AppliedIndex);
    }
}
