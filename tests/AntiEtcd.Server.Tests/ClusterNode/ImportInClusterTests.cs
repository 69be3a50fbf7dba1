using System.Text.Json.Nodes;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>
/// SPEC §9.6 in a cluster: the importing node proposes the import once a leader exists, forwarded when another node
/// leads, and the one log entry gives every node the same keys and revision.
/// </summary>
[Collection("cluster")]
public sealed class ImportInClusterTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("antietcd-import-cluster-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public async Task A_follower_started_with_import_antietcd_forwards_it_and_every_node_gets_the_keys()
    {
        var file = Path.Combine(_temp.FullName, "antietcd.json");
        await File.WriteAllTextAsync(file, """
            {"mod_revision": 9, "compact_revision": 0, "term": 4,
             "state": {"children": {"": {"children": {
               "a": {"value": "1", "create_revision": 2, "mod_revision": 5, "version": 3},
               "b": {"value": {"x": 1}}
             }}}}}
            """, TestContext.Current.CancellationToken);
        await using var cluster = TestCluster.Create(3, configure: (i, o) => o.ImportAntietcd = i == 2 ? file : null);

        // n1 and n2 elect a leader first, so the importing n3 joins as a follower and must forward its entry.
        await Task.WhenAll(cluster.StartNodeAsync(0), cluster.StartNodeAsync(1));
        var leader = await cluster.WaitForLeaderAsync([0, 1]);
        await cluster.StartNodeAsync(2);
        var last = "";
        await Until.TrueAsync(
            async () =>
            {
                var status = await cluster.StatusAsync(2);
                last = status.ToString();
                return status.Body["importState"]?.GetValue<string>() == "applied";
            },
            TimeSpan.FromSeconds(15),
            () => "the import was not applied; last status: " + last);
        Assert.Equal(leader, await cluster.WaitForLeaderAsync());

        foreach (var i in cluster.Running)
        {
            var all = await cluster.PostAsync(i, "/v3/kv/range", new JsonObject { ["key"] = "AA==", ["range_end"] = "AA==" });
            Assert.True(all.Status == 200, all.ToString());
            Assert.Equal(9, all.Revision);
            var kvs = all.Body["kvs"]!.AsArray();
            Assert.Equal(["/a=1@2/5/3", "/b={\"x\":1}@9/9/1"], kvs.Select(kv =>
                $"{TestCluster.Text(kv!["key"])}={TestCluster.Text(kv["value"])}@{NodeReply.Number(kv["create_revision"])}/{NodeReply.Number(kv["mod_revision"])}/{NodeReply.Number(kv["version"])}"));

            // Only the node that attempted the import reports an import state.
            Assert.Equal(i == 2 ? "applied" : null, (await cluster.StatusAsync(i)).Body["importState"]?.GetValue<string>());

            // The import set compact_revision to its revision.
            var old = await cluster.PostAsync(i, "/v3/kv/range", new JsonObject { ["key"] = TestCluster.B64("/a"), ["revision"] = 8 });
            Assert.True(old.Status == 400 && old.Message == "etcdserver: mvcc: required revision has been compacted", old.ToString());
        }

        // The cluster takes writes after the import, on the next revision.
        Assert.Equal(10, await cluster.PutOkAsync(2, "/c", "after"));
    }
}
