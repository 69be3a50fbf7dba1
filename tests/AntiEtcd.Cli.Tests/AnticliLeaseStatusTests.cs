using System.Text.Json;
using System.Text.RegularExpressions;

namespace AntiEtcd.Cli.Tests;

/// <summary>SPEC §12.2: lease grant, revoke, keepalive (and list), and status.</summary>
[Collection("processes")]
public sealed class AnticliLeaseStatusTests(AnticliServerFixture server) : IClassFixture<AnticliServerFixture>
{
    private const int SigInt = 2;

    [Fact]
    public async Task Grant_keepalive_list_revoke_with_ids_in_decimal_or_hex()
    {
        var grant = await server.RunAsync("lease", "grant", "30", "--id", "0x1F40");
        Assert.Equal(0, grant.ExitCode);
        Assert.Equal("lease 8000 granted with TTL(30s)\n", grant.Stdout);

        var keepalive = await server.RunAsync("lease", "keepalive", "8000", "--once");
        Assert.Equal(0, keepalive.ExitCode);
        Assert.Equal("lease 8000 keepalived with TTL(30)\n", keepalive.Stdout);

        Assert.Contains("8000", (await server.RunAsync("lease", "list")).StdoutLines);

        await server.RunAsync("put", "lease/key", "v", "--lease", "8000");
        var revoke = await server.RunAsync("lease", "revoke", "0x1f40");
        Assert.Equal(0, revoke.ExitCode);
        Assert.Equal("lease 8000 revoked\n", revoke.Stdout);
        Assert.Equal("", (await server.RunAsync("get", "lease/key")).Stdout);

        var gone = await server.RunAsync("lease", "keepalive", "8000", "--once");
        Assert.Equal(1, gone.ExitCode);
        Assert.Equal("lease 8000 expired or revoked\n", gone.Stderr);

        var again = await server.RunAsync("lease", "revoke", "8000");
        Assert.Equal(1, again.ExitCode);
        Assert.EndsWith("/v3/lease/revoke: etcdserver: requested lease not found\n", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grant_json_prints_the_response_and_the_server_picks_an_id()
    {
        var grant = await server.RunAsync("lease", "grant", "1", "--json");
        Assert.Equal(0, grant.ExitCode);
        using var json = JsonDocument.Parse(grant.Stdout);
        Assert.NotEqual("0", json.RootElement.GetProperty("ID").GetString());
        // A TTL below the minimum is raised (SPEC §5.1).
        Assert.Equal("2", json.RootElement.GetProperty("TTL").GetString());
    }

    [Fact]
    public async Task Keepalive_is_a_read_that_moves_on_after_a_503_and_json_prints_the_response()
    {
        // SPEC §12.3: keepalive is a read, so any 503 moves on; SPEC §12.2: --json prints the responses.
        await server.RunAsync("lease", "grant", "40", "--id", "8200");
        await using var fake = AnticliFakeEndpoint.Answering(503, AnticliFakeEndpoint.OutcomeUnknown);
        var keepalive = await AnticliProcess.RunAsync("-e", $"{fake.Url},{server.Url}", "lease", "keepalive", "8200", "--once", "--json");
        Assert.Equal(0, keepalive.ExitCode);
        Assert.Equal(1, fake.Requests);
        using var json = JsonDocument.Parse(Assert.Single(keepalive.StdoutLines));
        // The gateway wraps the stream answer in "result" (SPEC §5.3).
        var result = json.RootElement.TryGetProperty("result", out var r) ? r : json.RootElement;
        Assert.Equal("8200", result.GetProperty("ID").GetString());
        Assert.Equal("40", result.GetProperty("TTL").GetString());
    }

    [Fact]
    public async Task Grant_and_revoke_are_writes_that_do_not_move_on_after_an_outcome_unknown_503()
    {
        await using var fake = AnticliFakeEndpoint.Answering(503, AnticliFakeEndpoint.OutcomeUnknown);
        var grant = await AnticliProcess.RunAsync("-e", $"{fake.Url},{server.Url}", "lease", "grant", "30", "--id", "8300");
        Assert.Equal(1, grant.ExitCode);
        Assert.Equal($"{fake.Url}/v3/lease/grant: {AnticliFakeEndpoint.OutcomeUnknown}\n", grant.Stderr);
        Assert.DoesNotContain("8300", (await server.RunAsync("lease", "list")).StdoutLines);

        await server.RunAsync("lease", "grant", "30", "--id", "8301");
        var revoke = await AnticliProcess.RunAsync("-e", $"{fake.Url},{server.Url}", "lease", "revoke", "8301");
        Assert.Equal(1, revoke.ExitCode);
        Assert.Equal($"{fake.Url}/v3/lease/revoke: {AnticliFakeEndpoint.OutcomeUnknown}\n", revoke.Stderr);
        Assert.Contains("8301", (await server.RunAsync("lease", "list")).StdoutLines);
        Assert.Equal(2, fake.Requests);
    }

    [Fact]
    public async Task Keepalive_repeats_every_third_of_the_ttl_until_ctrl_c_which_exits_0()
    {
        await server.RunAsync("lease", "grant", "3", "--id", "8100");
        await using var keepalive = AnticliProcess.Start(null, "-e", server.Url, "lease", "keepalive", "8100");
        await keepalive.WaitForStdoutAsync(o => Regex.Count(o, "lease 8100 keepalived with TTL\\(3\\)") >= 2);
        keepalive.Signal(SigInt);
        Assert.Equal(0, await keepalive.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Keepalive_waits_a_third_of_the_ttl_in_fractions_of_a_second()
    {
        // TTL 5: every 1.67 s (SPEC §12.2: max(1, TTL/3) s), so two intervals take at least 3.3 s; whole seconds made it 2 s.
        await server.RunAsync("lease", "grant", "5", "--id", "8110");
        await using var keepalive = AnticliProcess.Start(null, "-e", server.Url, "lease", "keepalive", "8110");
        await keepalive.WaitForStdoutAsync(o => Regex.Count(o, "lease 8110 keepalived") >= 1);
        var first = System.Diagnostics.Stopwatch.StartNew();
        await keepalive.WaitForStdoutAsync(o => Regex.Count(o, "lease 8110 keepalived") >= 3);
        Assert.True(first.Elapsed >= TimeSpan.FromSeconds(3.2), $"two keepalive intervals took {first.Elapsed.TotalSeconds:F2} s");
        keepalive.Signal(SigInt);
        Assert.Equal(0, await keepalive.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Status_prints_one_line_per_endpoint_and_exits_1_when_one_failed()
    {
        var status = await server.RunAsync("status");
        Assert.Equal(0, status.ExitCode);
        Assert.Matches(
            $"^{Regex.Escape(server.Url)}: node default, leader, leader default, term 1, revision \\d+, raft index \\d+, applied \\d+, db size \\d+, version antietcd-dotnet \\S+\n$",
            status.Stdout);

        var dead = AnticliFakeEndpoint.DeadUrl();
        var mixed = await AnticliProcess.RunAsync("-e", $"{dead},{server.Url}", "status", "--json");
        Assert.Equal(1, mixed.ExitCode);
        using var json = JsonDocument.Parse(Assert.Single(mixed.StdoutLines));
        Assert.Equal("default", json.RootElement.GetProperty("nodeId").GetString());
        Assert.StartsWith($"{dead}/v3/maintenance/status: ", mixed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_a_node_that_knows_no_leader_says_leader_none()
    {
        // One node of two: it can never win an election, so it knows no leader (SPEC §12.2 "leader <leaderNodeId|none>").
        var ports = AntiEtcd.Testing.LoopbackPorts.Pick(2);
        await using var alone = ServerProcess.Start("--cluster", ClusterProcessKit.ClusterList(ports), "--node_id", "n1", "--cluster_key", "status-test-key-0123456789");
        Assert.Equal(ports[0], await alone.WaitForPortAsync());
        var status = await AnticliProcess.RunAsync("-e", $"http://127.0.0.1:{ports[0]}", "status");
        Assert.Equal(0, status.ExitCode);
        Assert.Matches($"^http://127\\.0\\.0\\.1:{ports[0]}: node n1, (candidate|follower), leader none, term \\d+, revision \\d+, raft index \\d+, applied \\d+, db size \\d+, version antietcd-dotnet \\S+\n$", status.Stdout);
    }
}
