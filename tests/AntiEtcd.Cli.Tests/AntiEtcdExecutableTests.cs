using System.Net;
using System.Text;

namespace AntiEtcd.Cli.Tests;

/// <summary>SPEC §11: the antietcd executable's options, exit codes, signals and logs.</summary>
[Collection("processes")]
public sealed class AntiEtcdExecutableTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private const int SigQuit = 3;

    [Fact]
    public async Task Help_lists_every_option_and_exits_0()
    {
        var (code, stdout, _) = await ServerProcess.RunAsync("--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--port", "--ip", "--cert", "--client_cert_auth", "--cluster", "--data", "--max_request_bytes", "--logs" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Version_prints_the_product_version()
    {
        var (code, stdout, _) = await ServerProcess.RunAsync("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^antietcd-dotnet [0-9]+\.[0-9]+\.[0-9]+\n$", stdout);
    }

    [Theory]
    [InlineData("--port", "abc")]
    [InlineData("--port")]
    [InlineData("positional")]
    [InlineData("--stale_read", "perhaps")]
    [InlineData("--logs", "everything")]
    public async Task Usage_errors_exit_2_with_a_message_on_stderr(params string[] args)
    {
        var (code, stdout, stderr) = await ServerProcess.RunAsync(args);
        Assert.Equal(2, code);
        Assert.StartsWith("antietcd: ", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    [Theory]
    [InlineData("--use_base64", "0")]
    [InlineData("--etcd_proxy", "http://x")]
    [InlineData("--election_timeout", "100")]
    [InlineData("--cert", "/nonexistent/cert.pem", "--key", "/nonexistent/key.pem")]
    public async Task Start_failures_exit_1_with_one_line_on_stderr(params string[] args)
    {
        var (code, _, stderr) = await ServerProcess.RunAsync([.. args, "--port", "0"]);
        Assert.Equal(1, code);
        Assert.Contains("antietcd: cannot start: ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("use_base64=0 is not supported", "--use_base64", "0")]
    [InlineData("etcd_proxy mode is not supported", "--etcd_cert", "c.pem")]
    [InlineData("option --heartbeat_timeout: must be at least 1 ms", "--heartbeat_timeout", "0")]
    [InlineData("option --election_timeout: must be at least 2 × heartbeat_timeout", "--election_timeout", "100")]
    [InlineData("option --node_id: must be 1-255 bytes without ',', '=' or whitespace", "--node_id", "a b")]
    [InlineData("option --client_cert_auth: client_cert_auth requires cert, key and ca", "--client_cert_auth", "1")]
    [InlineData("option --peer_cert: peer_cert and peer_key must be given together", "--peer_cert", "p.pem")]
    public async Task A_start_failure_is_one_line_that_names_the_command_line_option(string message, params string[] args)
    {
        // SPEC §11.4: "Start failures print one line to stderr that says why"; §11.2 gives the use_base64 text exactly.
        var (code, stdout, stderr) = await ServerProcess.RunAsync([.. args, "--port", "0"]);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal($"antietcd: cannot start: {message}\n", stderr);
    }

    [Fact]
    public async Task An_unloadable_filter_is_a_start_failure_on_one_line()
    {
        // The loader's message has a line break in it (from the runtime) and the ArgumentException its "(Parameter …)".
        var (code, _, stderr) = await ServerProcess.RunAsync("--auth_filter", "no-such-filter.dll:N.T", "--port", "0");
        Assert.Equal(1, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("antietcd: cannot start: --auth_filter: cannot load no-such-filter.dll:N.T: ", lines[^1], StringComparison.Ordinal);
        Assert.Single(lines, l => l.Contains("cannot start", StringComparison.Ordinal));
        Assert.DoesNotContain("Parameter", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SigTerm)]
    [InlineData(SigInt)]
    [InlineData(SigQuit)]
    public async Task Serves_and_stops_gracefully_on_a_signal(int signal)
    {
        await using var server = ServerProcess.Start("--port", "0", "--unknown_for_filters", "x");
        var port = await server.WaitForPortAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var put = await http.PostAsync("/v3/kv/put", new StringContent("{\"key\":\"Zm9v\",\"value\":\"YmFy\"}", Encoding.UTF8), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Contains("--unknown_for_filters", server.Stderr, StringComparison.Ordinal);

        server.Signal(signal);
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("stopped", server.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Access_log_prints_request_line_and_bodies()
    {
        await using var server = ServerProcess.Start("--port", "0", "--logs", "access");
        var port = await server.WaitForPortAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var range = await http.PostAsync("/v3/kv/range?serializable=1", new StringContent("{\"key\":\"Zm9v\"}\n", Encoding.UTF8), TestContext.Current.CancellationToken);
        await server.WaitForOutputAsync(o => o.Contains("POST /v3/kv/range?serializable=1 200 ", StringComparison.Ordinal));
        Assert.Contains("    {\"key\":\"Zm9v\"}\\n\n", server.Stdout, StringComparison.Ordinal);
        Assert.Contains("    {\"header\":{", server.Stdout, StringComparison.Ordinal);
    }
}
