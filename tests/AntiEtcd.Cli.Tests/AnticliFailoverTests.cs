namespace AntiEtcd.Cli.Tests;

/// <summary>
/// SPEC §12.3: reads move on after any connection error, timeout, 502 or 503; writes only when the
/// request surely did not run. The stand-in endpoints give the answers one healthy node cannot.
/// </summary>
[Collection("processes")]
public sealed class AnticliFailoverTests(AnticliServerFixture server) : IClassFixture<AnticliServerFixture>
{
    [Fact]
    public async Task Reads_and_writes_move_on_after_a_refused_connection()
    {
        var dead = AnticliFakeEndpoint.DeadUrl();
        var put = await AnticliProcess.RunAsync("-e", $"{dead},{server.Url}", "put", "fo/refused", "v");
        Assert.Equal(0, put.ExitCode);
        Assert.Equal("", put.Stderr);

        var get = await AnticliProcess.RunAsync("--endpoints", $"{dead}, {server.Url}", "get", "fo/refused", "-v");
        Assert.Equal("v\n", get.Stdout);
    }

    [Theory]
    [InlineData(502, "Server is stopping (request not executed, safe to retry)")]
    [InlineData(503, AnticliFakeEndpoint.NotExecuted)]
    public async Task A_write_moves_on_after_an_answer_that_says_it_did_not_run(int status, string message)
    {
        await using var fake = AnticliFakeEndpoint.Answering(status, message);
        var key = $"fo/not-executed-{status}";
        var put = await AnticliProcess.RunAsync("-e", $"{fake.Url},{server.Url}", "put", key, "v");
        Assert.Equal(0, put.ExitCode);
        Assert.Equal(1, fake.Requests);
        Assert.Equal("v\n", (await server.RunAsync("get", key, "-v")).Stdout);
    }

    [Fact]
    public async Task A_write_is_not_retried_after_an_outcome_unknown_503()
    {
        await using var fake = AnticliFakeEndpoint.Answering(503, AnticliFakeEndpoint.OutcomeUnknown);
        var put = await AnticliProcess.RunAsync("-e", $"{fake.Url},{server.Url}", "put", "fo/ou", "v");
        Assert.Equal(1, put.ExitCode);
        Assert.Equal($"{fake.Url}/v3/kv/put: {AnticliFakeEndpoint.OutcomeUnknown}\n", put.Stderr);
        Assert.Equal("", (await server.RunAsync("get", "fo/ou")).Stdout);
    }

    [Fact]
    public async Task A_read_moves_on_after_any_503()
    {
        await server.RunAsync("put", "fo/read", "r");
        await using var fake = AnticliFakeEndpoint.Answering(503, AnticliFakeEndpoint.OutcomeUnknown);
        var get = await AnticliProcess.RunAsync("-e", $"{fake.Url},{server.Url}", "get", "fo/read", "-v");
        Assert.Equal(0, get.ExitCode);
        Assert.Equal("r\n", get.Stdout);
        Assert.Equal(1, fake.Requests);
    }

    [Fact]
    public async Task After_a_timeout_a_write_stops_and_a_read_moves_on()
    {
        await using var fake = AnticliFakeEndpoint.Hanging();
        var put = await AnticliProcess.RunAsync("-e", $"{fake.Url},{server.Url}", "--timeout", "300", "put", "fo/timeout", "v");
        Assert.Equal(1, put.ExitCode);
        Assert.Equal($"{fake.Url}/v3/kv/put: request timed out after 300 ms\n", put.Stderr);
        Assert.Equal("", (await server.RunAsync("get", "fo/timeout")).Stdout);

        await server.RunAsync("put", "fo/timeout-read", "r");
        var get = await AnticliProcess.RunAsync("-e", $"{fake.Url},{server.Url}", "--timeout", "300", "get", "fo/timeout-read", "-v");
        Assert.Equal(0, get.ExitCode);
        Assert.Equal("r\n", get.Stdout);
    }

    [Fact]
    public async Task When_every_endpoint_fails_each_attempt_is_reported_and_the_exit_code_is_1()
    {
        await using var fake = AnticliFakeEndpoint.Answering(503, AnticliFakeEndpoint.NotExecuted);
        var dead = AnticliFakeEndpoint.DeadUrl();
        var get = await AnticliProcess.RunAsync("-e", $"{fake.Url},{dead}", "get", "k");
        Assert.Equal(1, get.ExitCode);
        var lines = get.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"{fake.Url}/v3/kv/txn: {AnticliFakeEndpoint.NotExecuted}", lines[0]);
        Assert.StartsWith($"{dead}/v3/kv/txn: ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Later_requests_start_from_the_endpoint_that_last_worked()
    {
        await using var fake = AnticliFakeEndpoint.Answering(503, AnticliFakeEndpoint.NotExecuted);
        var dump = System.Text.Encoding.UTF8.GetBytes("{\"kvs\":[" + string.Join(',', Enumerable.Range(0, 300).Select(i => $"{{\"key\":\"{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"fo/load/{i}"))}\",\"value\":\"eA==\"}}")) + "]}");
        var load = await AnticliProcess.RunWithInputAsync(dump, "-e", $"{fake.Url},{server.Url}", "load");
        Assert.Equal(0, load.ExitCode);
        Assert.Equal("OK, loaded 300 values\n", load.Stdout);
        // Three txns; only the first one tried the failing endpoint.
        Assert.Equal(1, fake.Requests);
    }

    [Fact]
    public async Task The_default_timeout_of_an_attempt_is_10000_ms()
    {
        // SPEC §12.1: --timeout defaults to 10000 ms per attempt.
        await using var fake = AnticliFakeEndpoint.Hanging();
        var get = await AnticliProcess.RunAsync("-e", fake.Url, "get", "fo/default-timeout");
        Assert.Equal(1, get.ExitCode);
        Assert.Equal($"{fake.Url}/v3/kv/txn: request timed out after 10000 ms\n", get.Stderr);
    }
}
