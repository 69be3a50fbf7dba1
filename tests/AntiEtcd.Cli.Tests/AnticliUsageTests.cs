namespace AntiEtcd.Cli.Tests;

/// <summary>SPEC §12.1: help, usage errors (exit 2) and the unknown-command message. No server needed.</summary>
[Collection("processes")]
public sealed class AnticliUsageTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("get", "--help")]
    [InlineData("put", "-h")]
    [InlineData("del", "--help")]
    [InlineData("load", "--help")]
    [InlineData("watch", "--help")]
    [InlineData("status", "--help")]
    [InlineData("lease", "--help")]
    public async Task Help_prints_the_usage_on_stdout_and_exits_0(params string[] args)
    {
        var result = await AnticliProcess.RunAsync(args);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--endpoints", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(args.Length > 1 ? $"anticli [OPTIONS] {args[0]}" : "anticli [OPTIONS] watch", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
    }

    [Theory]
    [InlineData]
    [InlineData("bogus")]
    [InlineData("GET", "key")]
    public async Task An_unknown_command_prints_the_supported_ones_and_exits_2(params string[] args)
    {
        var result = await AnticliProcess.RunAsync(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("Supported commands: get, put, del, load, watch, status, lease. Use --help to see details\n", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Theory]
    [InlineData("get", "k", "--unknown")]
    [InlineData("get", "k", "-x")]
    [InlineData("get")]
    [InlineData("put")]
    [InlineData("put", "k", "v", "extra")]
    [InlineData("del")]
    [InlineData("get", "k", "-k", "-v")]
    [InlineData("get", "k", "--write-out", "yaml")]
    [InlineData("get", "k", "--timeout", "soon")]
    [InlineData("get", "k", "--revision", "-1")]
    [InlineData("get", "k", "--endpoints")]
    [InlineData("get", "k", "-e", "ftp://host:1")]
    [InlineData("put", "k", "v", "--prefix")]
    [InlineData("get", "k", "--lease", "1")]
    [InlineData("status", "extra")]
    [InlineData("load", "file.json")]
    [InlineData("lease")]
    [InlineData("lease", "renew", "1")]
    [InlineData("lease", "grant")]
    [InlineData("lease", "grant", "ten")]
    [InlineData("lease", "revoke", "-5")]
    [InlineData("lease", "revoke", "0xZZ")]
    [InlineData("lease", "revoke", "1", "--once")]
    [InlineData("get", "k", "--cert", "c.pem")]
    public async Task Usage_errors_exit_2_with_a_message_on_stderr(params string[] args)
    {
        var result = await AnticliProcess.RunAsync(args);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("anticli: ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task The_default_endpoint_is_http_127_0_0_1_2379()
    {
        // SPEC §12.1. status names the endpoint on its line whether it answers (stdout) or not (stderr).
        var status = await AnticliProcess.RunAsync("--timeout", "2000", "status");
        Assert.StartsWith("http://127.0.0.1:2379", status.ExitCode == 0 ? status.Stdout : status.Stderr, StringComparison.Ordinal);
    }
}
