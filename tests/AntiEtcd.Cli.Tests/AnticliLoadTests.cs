using System.Text;
using System.Text.Json;

namespace AntiEtcd.Cli.Tests;

/// <summary>SPEC §12.2 load: dump formats, batches, halving, duplicates, leases, bad input.</summary>
[Collection("processes")]
public sealed class AnticliLoadTests(AnticliServerFixture server) : IClassFixture<AnticliServerFixture>
{
    [Fact]
    public async Task A_dump_made_by_get_json_loads_back()
    {
        await server.RunAsync("put", "dump/a", "1");
        await server.RunWithInputAsync([0, 255, 10], "put", "dump/bin");
        var dump = await server.RunAsync("get", "dump/", "-p", "--json");
        Assert.Equal(0, (await server.RunAsync("del", "dump", "-p")).ExitCode);

        var load = await server.RunWithInputAsync(dump.StdoutBytes, "load");
        Assert.Equal(0, load.ExitCode);
        Assert.Equal("OK, loaded 2 values\n", load.Stdout);
        Assert.Equal([.. "dump/a\n1\ndump/bin\n"u8.ToArray(), 0, 255, 10, (byte)'\n'], (await server.RunAsync("get", "dump", "-p")).StdoutBytes);
    }

    [Fact]
    public async Task A_txn_dump_loads_its_range_kvs_and_the_last_of_a_repeated_key_wins()
    {
        var dump = """
            {"header":{"revision":"9"},"succeeded":true,"responses":[
              {"response_range":{"kvs":[{"key":"dHhuL2E=","value":"Zmlyc3Q="},{"key":"dHhuL2I="}]}},
              {"response_put":{}},
              {"response_range":{"kvs":[{"key":"dHhuL2E=","value":"bGFzdA=="}]}}]}
            """;
        var load = await server.RunWithInputAsync(Encoding.UTF8.GetBytes(dump), "load");
        Assert.Equal(0, load.ExitCode);
        Assert.Equal("OK, loaded 2 values\n", load.Stdout);
        // txn/b had no value: loaded with an empty one.
        Assert.Equal("txn/a\nlast\ntxn/b\n\n", (await server.RunAsync("get", "txn", "-p")).Stdout);
    }

    [Fact]
    public async Task Leases_are_kept_only_with_with_lease()
    {
        Assert.Equal(0, (await server.RunAsync("lease", "grant", "60", "--id", "8001")).ExitCode);
        var dump = Encoding.UTF8.GetBytes("""{"kvs":[{"key":"bGVhc2VkLzE=","value":"eA==","lease":"8001"}]}""");

        Assert.Equal(0, (await server.RunWithInputAsync(dump, "load")).ExitCode);
        Assert.Equal("leased/1\nx\n", (await server.RunAsync("get", "leased/1", "--no-temp")).Stdout);

        Assert.Equal(0, (await server.RunWithInputAsync(dump, "load", "--with_lease")).ExitCode);
        Assert.Equal("", (await server.RunAsync("get", "leased/1", "--no-temp")).Stdout);
    }

    [Fact]
    public async Task A_large_load_goes_in_txns_of_128_and_prints_each_response_with_json()
    {
        var dump = Dump("big/", 300);
        var load = await server.RunWithInputAsync(dump, "load", "--json");
        Assert.Equal(0, load.ExitCode);
        Assert.Equal(3, load.StdoutLines.Length);
        foreach (var line in load.StdoutLines)
        {
            using var json = JsonDocument.Parse(line);
            Assert.True(json.RootElement.GetProperty("succeeded").GetBoolean());
        }

        Assert.Equal(300, (await server.RunAsync("get", "big", "-p", "-k")).StdoutLines.Length);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"kv":[]}""")]
    public async Task Something_that_is_not_a_dump_exits_1(string input)
    {
        var load = await server.RunWithInputAsync(Encoding.UTF8.GetBytes(input), "load");
        Assert.Equal(1, load.ExitCode);
        Assert.Equal("", load.Stdout);
        Assert.StartsWith("dump should be /kv/txn or /kv/range response in json format", load.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_keys_only_dump_exits_1()
    {
        await server.RunAsync("put", "keysonly/a", "1");
        var dump = await server.RunAsync("get", "keysonly", "-p", "-k", "--json");
        var load = await server.RunWithInputAsync(dump.StdoutBytes, "load");
        Assert.Equal(1, load.ExitCode);
        Assert.Equal("dump should contain values\n", load.Stderr);
    }

    [Fact]
    public async Task The_batch_is_halved_while_the_server_allows_fewer_ops_per_txn()
    {
        await using var small = ServerProcess.Start("--port", "0", "--max_txn_ops", "10");
        var url = $"http://127.0.0.1:{await small.WaitForPortAsync()}";
        var load = await AnticliProcess.RunWithInputAsync(Dump("half/", 25), "-e", url, "load", "--json");
        Assert.Equal(0, load.ExitCode);
        // A txn of 25 and one of 12 are refused (not executed), then 6 + 6 + 6 + 6 + 1.
        Assert.Equal(5, load.StdoutLines.Length);
        Assert.Equal(25, (await AnticliProcess.RunAsync("-e", url, "get", "half", "-p", "-k")).StdoutLines.Length);
    }

    [Fact]
    public async Task A_txn_of_one_put_that_is_still_too_large_is_reported_and_exits_1()
    {
        // SPEC §12.2: the batch is halved down to one put; if even that gets the error, load reports it and exits 1.
        await using var refusing = AnticliFakeEndpoint.Answering(400, "etcdserver: too many operations in txn request");
        var load = await AnticliProcess.RunWithInputAsync(Dump("refused/", 2), "-e", refusing.Url, "load");
        Assert.Equal(1, load.ExitCode);
        Assert.Equal("", load.Stdout);
        Assert.Equal($"{refusing.Url}/v3/kv/txn: etcdserver: too many operations in txn request\n", load.Stderr);
        // A txn of 2, then a txn of 1.
        Assert.Equal(2, refusing.Requests);
    }

    private static byte[] Dump(string prefix, int count)
    {
        var text = new StringBuilder("{\"kvs\":[");
        for (int i = 0; i < count; i++)
        {
            text.Append(i == 0 ? "" : ",")
                .Append("{\"key\":\"").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{prefix}{i:D4}")))
                .Append("\",\"value\":\"").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes($"v{i}"))).Append("\"}");
        }

        return Encoding.UTF8.GetBytes(text.Append("]}").ToString());
    }
}
