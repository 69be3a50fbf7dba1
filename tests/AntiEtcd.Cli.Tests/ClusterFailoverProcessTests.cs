using System.Diagnostics;
using static AntiEtcd.Cli.Tests.ClusterProcessKit;

namespace AntiEtcd.Cli.Tests;

/// <summary>
/// SPEC §8.2 with real processes: kill -9 the leader of a three-node cluster; a survivor acknowledges a write soon
/// after. The 5 s bound is a correctness bound (a new leader must appear at all), not a benchmark.
/// </summary>
[Collection("processes")]
public sealed class ClusterFailoverProcessTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task KillingTheLeaderHardLeavesAClusterThatAcknowledgesWritesWithinFiveSeconds(bool data)
    {
        var ct = TestContext.Current.CancellationToken;
        var ports = FreePorts(3);
        var names = new[] { "n1", "n2", "n3" };
        var clusterList = string.Join(',', names.Select((n, i) => $"{n}=http://127.0.0.1:{ports[i]}"));
        var root = Path.Combine(Path.GetTempPath(), "antietcd-failover-" + Guid.NewGuid().ToString("N"));
        var processes = new ServerProcess?[3];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var args = new List<string>
                {
                    "--node_id", names[i], "--cluster", clusterList, "--cluster_key", "process-failover-key-0123",
                    "--heartbeat_timeout", "50", "--election_timeout", "300", "--replication_timeout", "2000",
                };
                if (data)
                {
                    args.AddRange(["--data", Path.Combine(root, names[i])]);
                }

                processes[i] = ServerProcess.Start([.. args]);
            }

            var leader = await WaitForLeaderAsync(http, ports, [0, 1, 2], null);
            Assert.Equal(200, (await PutAsync(http, ports[(leader + 1) % 3], "before", "1")).Status);

            processes[leader]!.Kill();
            var clock = Stopwatch.StartNew();
            var survivor = (leader + 1) % 3;
            var deadline = TimeSpan.FromSeconds(5);
            (int Status, string Body) reply = (0, "");
            while (clock.Elapsed < deadline)
            {
                reply = await PutAsync(http, ports[survivor], "after", "2");
                if (reply.Status == 200)
                {
                    break;
                }

                Assert.True(reply.Status == 503, $"write during failover: {reply}");
            }

            var elapsed = clock.Elapsed;
            TestContext.Current.SendDiagnosticMessage($"kill -9 failover ({(data ? "--data" : "in-memory")}): first acknowledged write through a survivor after {elapsed.TotalMilliseconds:0} ms");
            Console.WriteLine($"kill -9 failover ({(data ? "--data" : "in-memory")}): {elapsed.TotalMilliseconds:0} ms");
            Assert.True(reply.Status == 200 && elapsed < deadline, $"no acknowledged write within {deadline.TotalSeconds} s of kill -9 (last answer {reply}); stderr: {processes[survivor]!.Stderr}");

            // The new leader is a survivor; both survivors see both writes.
            var survivors = Enumerable.Range(0, 3).Where(i => i != leader).ToArray();
            var next = await WaitForLeaderAsync(http, ports, survivors, names[leader]);
            Assert.NotEqual(leader, next);
            foreach (var i in survivors)
            {
                Assert.Contains("\"kvs\"", (await RangeAsync(http, ports[i], "before")).Body);
                Assert.Contains("\"kvs\"", (await RangeAsync(http, ports[i], "after")).Body);
            }
        }
        finally
        {
            foreach (var process in processes)
            {
                if (process is not null)
                {
                    await process.DisposeAsync();
                }
            }

            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }

        ct.ThrowIfCancellationRequested();
    }
}
