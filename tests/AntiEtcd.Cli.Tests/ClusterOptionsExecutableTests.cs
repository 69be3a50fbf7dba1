using System.Net;

namespace AntiEtcd.Cli.Tests;

/// <summary>SPEC §8.1, §10.3, §11.2, §11.4: a wrong cluster setup is a usage error of the antietcd executable.</summary>
[Collection("processes")]
public sealed class ClusterOptionsExecutableTests
{
    private const string Two = "a=http://127.0.0.1:23791,b=http://127.0.0.1:23792";

    [Theory]
    [InlineData("option --cluster_key or --cluster_key_file is required with more than one node", "--cluster", Two, "--node_id", "a")]
    [InlineData("option --node_id is required with --cluster", "--cluster", "a=http://127.0.0.1:23791")]
    [InlineData("node_id 'x' is not listed in --cluster", "--cluster", Two, "--node_id", "x", "--cluster_key", "k")]
    [InlineData("option --cluster: URL 'http://h' of node 'b' needs an explicit port", "--cluster", "a=http://h:1,b=http://h", "--node_id", "a", "--cluster_key", "k")]
    [InlineData("option --cluster: URL 'ftp://h:2' of node 'b' must start with http:// or https://", "--cluster", "a=http://h:1, b=ftp://h:2", "--node_id", "a", "--cluster_key", "k")]
    [InlineData("option --cluster: nodes 'a' and 'b' have the same URL http://h:1", "--cluster", "a=http://h:1,b=http://H:1", "--node_id", "a", "--cluster_key", "k")]
    [InlineData("option --cluster: node id 'b' is listed twice", "--cluster", "a=http://h:1,b=http://h:2,b=http://h:3", "--node_id", "a", "--cluster_key", "k")]
    [InlineData("give --cluster_key or --cluster_key_file, not both", "--cluster", Two, "--node_id", "a", "--cluster_key", "secret-value", "--cluster_key_file", "/k")]
    [InlineData("option --cluster: this node's URL https://h:1 is https://, which needs --cert and --key", "--cluster", "a=https://h:1", "--node_id", "a")]
    public async Task A_wrong_cluster_setup_exits_2_with_one_line_naming_the_option(string message, params string[] args)
    {
        var (code, stdout, stderr) = await ServerProcess.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"antietcd: {message}", lines[0]);
        Assert.DoesNotContain("secret-value", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_one_node_cluster_listens_on_the_port_of_its_url()
    {
        var port = AntiEtcd.Testing.LoopbackPorts.Pick(1)[0];

        await using var server = ServerProcess.Start("--cluster", $"solo=http://localhost:{port}", "--node_id", "solo");
        Assert.Equal(port, await server.WaitForPortAsync());
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var health = await http.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
