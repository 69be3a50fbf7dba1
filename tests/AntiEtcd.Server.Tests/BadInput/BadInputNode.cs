using System.Net.Http.Headers;

namespace AntiEtcd.Server.Tests.BadInput;

/// <summary>One node shared by the bad-input tests: bad input must never hurt it.</summary>
public sealed class BadInputNode : IAsyncLifetime
{
    private RunningServer? _node;

    /// <summary>The running node.</summary>
    public RunningServer Node => _node ?? throw new InvalidOperationException("not started");

    /// <summary>Its port on 127.0.0.1.</summary>
    public int Port => Node.Server.LocalPort;

    public async ValueTask InitializeAsync() => _node = await RunningServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    /// <summary>A put and a range still succeed, with the value just written.</summary>
    public async Task AssertStillServesAsync(string after)
    {
        var ct = TestContext.Current.CancellationToken;
        var value = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        using var put = new StringContent($"{{\"key\":\"YWxpdmU=\",\"value\":\"{value}\"}}", MediaTypeHeaderValue.Parse("application/json"));
        using var putReply = await Node.Http.PostAsync("/v3/kv/put", put, ct);
        Assert.True(putReply.IsSuccessStatusCode, $"after {after}: put -> {(int)putReply.StatusCode}");
        using var range = new StringContent("{\"key\":\"YWxpdmU=\"}", MediaTypeHeaderValue.Parse("application/json"));
        using var rangeReply = await Node.Http.PostAsync("/v3/kv/range", range, ct);
        var body = await rangeReply.Content.ReadAsStringAsync(ct);
        Assert.True(rangeReply.IsSuccessStatusCode && body.Contains(value, StringComparison.Ordinal), $"after {after}: range -> {(int)rangeReply.StatusCode} {body}");
    }
}
