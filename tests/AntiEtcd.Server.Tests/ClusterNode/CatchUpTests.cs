using System.Collections.Concurrent;
using AntiEtcd.Api;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>SPEC §8.3: a node that missed writes catches up by log, or by snapshot once the leader compacted its log.</summary>
[Collection("cluster")]
public sealed class CatchUpTests
{
    [Fact]
    public async Task RestartedNodeThatMissedManyWritesCatchesUpByLog()
    {
        await using var cluster = await TestCluster.StartAsync(3, data: true);
        var leader = await cluster.WaitForLeaderAsync();
        var lagging = (leader + 1) % 3;
        await cluster.StopNodeAsync(lagging);

        await WriteKeysAsync(cluster, leader, "m/", 2000);
        var last = await cluster.PutOkAsync(leader, "z", "last");

        await cluster.StartNodeAsync(lagging);
        await AwaitConvergedAsync(cluster, lagging, "m/", 2000, last);
    }

    /// <summary>
    /// A node's own snapshots hold its state: a restart recovers from them. Found by the cluster benchmark: with no
    /// persist filter, every cluster snapshot file held an empty image (a `cond ? null : memory` conditional typed
    /// ReadOnlyMemory), and the restarted leader refused to start.
    /// </summary>
    [Fact]
    public async Task RestartedNodeRecoversFromItsOwnSnapshots()
    {
        await using var cluster = await TestCluster.StartAsync(3, data: true, configure: (_, o) => o.SnapshotEntries = 100);
        var leader = await cluster.WaitForLeaderAsync();
        await WriteKeysAsync(cluster, leader, "o/", 400);
        var last = await cluster.PutOkAsync(leader, "z", "last");
        var snap = Path.Combine(cluster.OptionsFor(leader).Data!, "snap");
        await Until.TrueAsync(
            () => Directory.EnumerateFiles(snap, "*.snap").Any(),
            TimeSpan.FromSeconds(10),
            () => $"no snapshot file in {snap}");
        foreach (var file in Directory.EnumerateFiles(snap, "*.snap"))
        {
            Assert.True(new FileInfo(file).Length > 4000, $"{file} holds {new FileInfo(file).Length} bytes for 400 keys");
        }

        await cluster.StopNodeAsync(leader);
        await cluster.StartNodeAsync(leader);
        await AwaitConvergedAsync(cluster, leader, "o/", 400, last);
    }

    [Fact]
    public async Task NodeBehindTheCompactedLogInstallsASnapshotAndItsWatchesAreCancelled()
    {
        // Five nodes: one cut off and one stopped still leave a majority.
        await using var cluster = await TestCluster.StartAsync(5, proxies: true, configure: (_, o) =>
        {
            o.SnapshotEntries = 100;
            o.CompactRevisions = 100;
        });
        var leader = await cluster.WaitForLeaderAsync();
        var behind = (leader + 1) % 5;
        var empty = (leader + 2) % 5;
        await cluster.PutOkAsync(leader, "b/0", "before");
        Assert.Equal("before", await cluster.GetAsync(behind, "b/0"));

        // A watch on the node that will fall behind; it stays ready for local reads while cut off (SPEC §8.4).
        cluster.Isolate(behind);
        var responses = new ConcurrentQueue<WatchResponse>();
        await cluster.Servers[behind]!.CreateWatchAsync(
            new WatchCreateRequest { Key = "s/"u8.ToArray(), RangeEnd = "s0"u8.ToArray() },
            r =>
            {
                responses.Enqueue(r);
                return ValueTask.CompletedTask;
            },
            cancellationToken: TestContext.Current.CancellationToken);

        // An in-memory node restarted empty needs a snapshot too.
        await cluster.StopNodeAsync(empty);
        await WriteKeysAsync(cluster, leader, "s/", 400);
        var last = await cluster.PutOkAsync(leader, "z", "last");
        var firstIndex = LeaderLogFirstIndex(cluster.Servers[leader]!);
        Assert.True(firstIndex > 100, $"the leader kept its log from index {firstIndex} after 400 writes with snapshot_entries 100");
        await cluster.StartNodeAsync(empty);
        var beforeHeal = responses.Count;
        var behindStatus = await cluster.StatusAsync(behind);
        cluster.Heal(behind);

        await AwaitConvergedAsync(cluster, behind, "s/", 400, last);
        await AwaitConvergedAsync(cluster, empty, "s/", 400, last);
        await Until.TrueAsync(
            () => responses.Any(r => r.Canceled && r.CompactRevision > 0),
            TimeSpan.FromSeconds(5),
            () => "the watch on the node that installed a snapshot was not cancelled with compact_revision: "
                + $"{responses.Count} responses ({beforeHeal} before healing), {responses.Count(r => r.Canceled)} cancelled; status of the cut-off node before healing: {behindStatus}");
    }

    /// <summary>
    /// SPEC §9.5: an in-memory follower restarted right after it had everything comes back empty, while the leader
    /// still holds all the entries it had acknowledged. Found by the Jepsen suite (register, kill, 5 nodes, in memory,
    /// seed 106): the leader kept probing just past the old acknowledgement, every probe was rejected, and the node
    /// stayed at applied 0.
    /// </summary>
    [Fact]
    public async Task InMemoryFollowerRestartedWhileUpToDateCatchesUp()
    {
        await using var cluster = await TestCluster.StartAsync(3);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = (leader + 1) % 3;
        await WriteKeysAsync(cluster, leader, "r/", 50);
        var before = await cluster.PutOkAsync(leader, "z", "before");
        await AwaitConvergedAsync(cluster, follower, "r/", 50, before);

        await cluster.StopNodeAsync(follower);
        await cluster.StartNodeAsync(follower);
        var last = await cluster.PutOkAsync(leader, "z", "after");
        await AwaitConvergedAsync(cluster, follower, "r/", 50, last);
    }

    /// <summary>
    /// SPEC §10.4: a snapshot larger than one peer frame travels in chunks. The frame limit is shrunk to 16 KiB so a
    /// store image of some 100 KB needs several; before chunking such a snapshot was dropped and the node never caught up.
    /// </summary>
    [Fact]
    public async Task RestartedNodeCatchesUpByASnapshotLargerThanAPeerFrame()
    {
        const int frameBytes = 16 * 1024;
        await using var cluster = await TestCluster.StartAsync(3, configure: (_, o) =>
        {
            o.SnapshotEntries = 100;
            o.CompactRevisions = 100;
            o.PeerMaxFrameBytes = frameBytes;
        });
        var leader = await cluster.WaitForLeaderAsync();
        var lagging = (leader + 1) % 3;

        // An in-memory node restarted empty, behind a compacted log: only a snapshot can bring it back.
        await cluster.StopNodeAsync(lagging);
        var value = new string('x', 300);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < 400)
            {
                await cluster.PutOkAsync(leader, "big/" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture), value);
            }
        }));
        var last = await cluster.PutOkAsync(leader, "z", "last");
        var firstIndex = LeaderLogFirstIndex(cluster.Servers[leader]!);
        Assert.True(firstIndex > 100, $"the leader kept its log from index {firstIndex} after 400 writes with snapshot_entries 100");
        var image = LeaderStorage(cluster.Servers[leader]!).GetSnapshot().Data.Length;
        Assert.True(image > 4 * frameBytes, $"the leader's snapshot image is {image} bytes: it should span several frames");

        await cluster.StartNodeAsync(lagging);
        await AwaitConvergedAsync(cluster, lagging, "big/", 400, last);
        var got = await cluster.GetAsync(lagging, "big/00399", serializable: true);
        Assert.Equal(value, got);
    }

    /// <summary>The first index the leader's Raft log still holds (white-box: there is no public view of it).</summary>
    private static ulong LeaderLogFirstIndex(AntiEtcdServer server) => LeaderStorage(server).FirstIndex;

    /// <summary>The leader's Raft storage (white-box, like <see cref="LeaderLogFirstIndex"/>).</summary>
    private static AntiEtcd.Raft.MemoryRaftStorage LeaderStorage(AntiEtcdServer server)
    {
        var raft = typeof(AntiEtcdServer).GetField("_raft", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(server)!;
        return (AntiEtcd.Raft.MemoryRaftStorage)raft.GetType().GetField("_storage", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(raft)!;
    }

    /// <summary>Writes keys prefix0..prefixN-1 through one node, a few at a time.</summary>
    internal static async Task WriteKeysAsync(TestCluster cluster, int node, string prefix, int count)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await cluster.PutOkAsync(node, prefix + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture), "v" + i);
            }
        }));
    }

    private static async Task AwaitConvergedAsync(TestCluster cluster, int node, string prefix, int count, long revision)
    {
        NodeReply? seen = null;
        await Until.TrueAsync(
            async () =>
            {
                seen = await cluster.PostAsync(node, "/v3/kv/range", new System.Text.Json.Nodes.JsonObject
                {
                    ["key"] = TestCluster.B64(prefix),
                    ["range_end"] = TestCluster.B64(prefix[..^1] + (char)(prefix[^1] + 1)),
                    ["count_only"] = true,
                    ["serializable"] = true,
                });
                return seen.Status == 200 && seen.Revision == revision && NodeReply.Number(seen.Body["count"]) == count;
            },
            TimeSpan.FromSeconds(20),
            () => $"{cluster.Names[node]} did not reach revision {revision} with {count} keys: {seen}");
    }
}
