using System.Text;
using System.Text.Json.Nodes;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>
/// SPEC §9.4 in a cluster: nothing volatile reaches any disk; a restarted node is incomplete until a complete leader
/// sends it the whole state; when every node restarted, the leader's volatile reset makes the loss a compaction.
/// </summary>
[Collection("cluster")]
public sealed class PersistFilterClusterTests
{
    private const string VolatileValue = "volatile-value-7f3a9c";
    private const string SecretValue = "secret-value-51be02";

    private static PersistDecision Filter(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
        key.StartsWith("tmp/"u8) ? PersistDecision.Volatile
        : key.StartsWith("secret/"u8) ? PersistDecision.Replace("***"u8.ToArray())
        : PersistDecision.Persist;

    private static Task<TestCluster> StartAsync(bool proxies = false) =>
        TestCluster.StartAsync(3, data: true, proxies: proxies, configure: (_, o) =>
        {
            o.PersistFilter = Filter;
            o.WaitQuorumTimeout = 1000;
        });

    private static async Task<long> WriteAsync(TestCluster cluster, int node)
    {
        await cluster.PutOkAsync(node, "tmp/a", VolatileValue);
        await cluster.PutOkAsync(node, "secret/s", SecretValue);

        // A txn whose branch holds a volatile put, so the filter runs inside txns too.
        var txn = new JsonObject
        {
            ["success"] = new JsonArray(new JsonObject { ["request_put"] = new JsonObject { ["key"] = TestCluster.B64("tmp/b"), ["value"] = TestCluster.B64(VolatileValue) } }),
        };
        var reply = await cluster.PostAsync(node, "/v3/kv/txn", txn);
        Assert.True(reply.Status == 200, reply.ToString());

        // Last, so a node that serves it has applied the rest.
        return await cluster.PutOkAsync(node, "k", "kept");
    }

    /// <summary>Every file of every node's data directory, searched for the bytes of the values the filter keeps out.</summary>
    private static void AssertNothingVolatileOnDisk(TestCluster cluster)
    {
        for (var i = 0; i < cluster.Size; i++)
        {
            var dir = cluster.OptionsFor(i).Data!;
            Assert.True(File.Exists(Path.Combine(dir, "flag.filtered")), $"{dir} has no flag.filtered");
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "lock"))
            {
                // Files in use by running nodes: read them while they are being appended to.
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                var bytes = copy.ToArray();
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(VolatileValue)) < 0, $"{file} holds a volatile value");
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(SecretValue)) < 0, $"{file} holds a replaced value");
            }
        }
    }

    private static async Task AssertValuesAsync(TestCluster cluster, int node, string? tmp, string? secret)
    {
        // "k" is written after the others: once the node serves it, it has applied them too.
        await Until.TrueAsync(
            async () => await cluster.RangeAsync(node, "k", serializable: true) is { Status: 200 } reply
                && reply.Body["kvs"] is System.Text.Json.Nodes.JsonArray { Count: > 0 },
            TimeSpan.FromSeconds(15),
            () => $"{cluster.Names[node]} never served k by a serializable read");
        Assert.Equal(tmp, await cluster.GetAsync(node, "tmp/a", serializable: true));
        Assert.Equal(tmp, await cluster.GetAsync(node, "tmp/b", serializable: true));
        Assert.Equal(secret, await cluster.GetAsync(node, "secret/s", serializable: true));
        Assert.Equal("kept", await cluster.GetAsync(node, "k", serializable: true));
    }

    [Fact]
    public async Task RestartedFollowerIsIncompleteUntilTheCompleteLeaderSendsItTheWholeState()
    {
        await using var cluster = await StartAsync(proxies: true);
        var leader = await cluster.WaitForLeaderAsync();
        var follower = (leader + 1) % 3;
        await WriteAsync(cluster, leader);
        await AssertValuesAsync(cluster, follower, VolatileValue, SecretValue);

        // Restarted while cut off, it holds only the persisted form: it must not serve it.
        await cluster.StopNodeAsync(follower);
        cluster.Isolate(follower);
        await cluster.StartNodeAsync(follower);
        var refused = await cluster.RangeAsync(follower, "k", serializable: true);
        Assert.True(refused.Status == 503, $"an incomplete node served a local read: {refused}");

        // Healed, the leader (complete) replaces its state with a snapshot holding the volatile data.
        cluster.Heal(follower);
        await AssertValuesAsync(cluster, follower, VolatileValue, SecretValue);
        var last = await cluster.PutOkAsync(follower, "after", "1");
        await Until.TrueAsync(
            async () => (await cluster.RangeAsync(follower, "after", serializable: true)).Revision >= last,
            TimeSpan.FromSeconds(10),
            () => "the follower did not apply a write made after it became complete");
        AssertNothingVolatileOnDisk(cluster);
    }

    private static PersistDecision OtherFilter(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => PersistDecision.Persist;

    /// <summary>SPEC §8.8, §10.3: every node must use the same filter; a peer with another one is never let in.</summary>
    [Fact]
    public async Task ANodeWithAnotherFilterCannotJoin()
    {
        await using var cluster = await TestCluster.StartAsync(3, data: true, configure: (i, o) =>
        {
            o.PersistFilter = i == 2 ? OtherFilter : Filter;
            o.WaitQuorumTimeout = 500;
        });
        var leader = await cluster.WaitForLeaderAsync(among: [0, 1]);
        await cluster.PutOkAsync(leader, "k", "v");
        var odd = await cluster.PutAsync(2, "k", "w");
        Assert.True(odd.Status == 503, $"a node whose filter differs took a write: {odd}");
        Assert.Equal("v", await cluster.GetAsync(leader, "k"));
    }

    [Fact]
    public async Task WhenEveryNodeRestartedTheLeaderResetsAndTheLossIsACompaction()
    {
        await using var cluster = await StartAsync();
        var leader = await cluster.WaitForLeaderAsync();
        var before = await WriteAsync(cluster, leader);
        for (var i = 0; i < 3; i++)
        {
            await AssertValuesAsync(cluster, i, VolatileValue, SecretValue);
        }

        for (var i = 0; i < 3; i++)
        {
            await cluster.StopNodeAsync(i);
        }

        AssertNothingVolatileOnDisk(cluster);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(cluster.StartNodeAsync));
        leader = await cluster.WaitForLeaderAsync();

        // The reset is the new leader's first entry: volatile keys are gone, replaced values stay replaced, and
        // every node agrees.
        for (var i = 0; i < 3; i++)
        {
            await AssertValuesAsync(cluster, i, tmp: null, secret: "***");
        }

        var reset = before + 2;
        var status = await cluster.StatusAsync(leader);
        Assert.True(status.Revision >= reset, $"revision after the reset: {status}");
        var old = await cluster.RangeAsync(leader, "k", query: null);
        Assert.Equal(200, old.Status);
        var history = await cluster.PostAsync(leader, "/v3/kv/range", new JsonObject { ["key"] = TestCluster.B64("k"), ["revision"] = before });
        Assert.True(history.Status == 400 && history.Message.Contains("compacted", StringComparison.Ordinal), $"a read at revision {before}, before the reset: {history}");

        // Writes go on, on every node.
        var after = await cluster.PutOkAsync((leader + 1) % 3, "tmp/c", VolatileValue);
        Assert.True(after > reset, $"a write after the reset got revision {after}, the reset took {reset}");
        await AssertValuesAsync(cluster, (leader + 2) % 3, tmp: null, secret: "***");
        Assert.Equal(VolatileValue, await cluster.GetAsync(leader, "tmp/c"));
    }
}
