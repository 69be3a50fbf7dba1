using System.Net;
using System.Text;

namespace AntiEtcd.Server.Tests;

/// <summary>SPEC §6.2-§6.4 and §10.5 over real HTTP.</summary>
public sealed class HttpEndpointTests : IAsyncLifetime
{
    private RunningServer? _node;

    private HttpClient Http => _node!.Http;

    public async ValueTask InitializeAsync() => _node = await RunningServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Health_version_and_head()
    {
        Assert.Equal("{\"health\":\"true\"}", await Http.GetStringAsync("/health", TestContext.Current.CancellationToken));
        Assert.Equal("{\"health\":\"true\"}", await Http.GetStringAsync("/health?serializable=true", TestContext.Current.CancellationToken));
        Assert.Equal("{\"etcdserver\":\"3.4.0\",\"etcdcluster\":\"3.4.0\"}", await Http.GetStringAsync("/version", TestContext.Current.CancellationToken));
        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/health"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("", await head.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_the_required_series()
    {
        using (await Http.PostAsync("/v3/kv/put", new StringContent("{\"key\":\"Zm9v\"}", Encoding.UTF8), TestContext.Current.CancellationToken))
        {
        }

        using (await Http.PostAsync("/v3/kv/lease/revoke", new StringContent("{\"ID\":1}", Encoding.UTF8), TestContext.Current.CancellationToken))
        {
        }

        using var response = await Http.GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        foreach (var gauge in new[]
                 {
                     "antietcd_server_has_leader 1", "antietcd_server_is_leader 1", "antietcd_raft_term 1", "antietcd_mvcc_revision 2",
                     "antietcd_mvcc_keys 1", "antietcd_mvcc_compact_revision 0", "antietcd_lease_count 0",
                 })
        {
            Assert.Contains(gauge + "\n", text, StringComparison.Ordinal);
        }

        Assert.Contains("antietcd_http_requests_total{api=\"kv_put\",code=\"200\"} 1\n", text, StringComparison.Ordinal);
        // An alias route is counted under its main route's name (SPEC §6.3).
        Assert.Contains("antietcd_http_requests_total{api=\"lease_revoke\",code=\"404\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("antietcd_http_request_duration_seconds_bucket{api=\"kv_put\",le=\"+Inf\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("antietcd_http_request_duration_seconds_count{api=\"kv_put\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE antietcd_server_leader_changes_seen_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE antietcd_wal_fsync_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE antietcd_peer_connected gauge", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://evil.example", "cross-origin requests are not allowed")]
    [InlineData("null", "cross-origin requests are not allowed")]
    public async Task Cross_origin_requests_are_refused(string origin, string message)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v3/kv/range") { Content = new StringContent("{\"key\":\"Zm9v\"}") };
        request.Headers.Add("Origin", origin);
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal($"{{\"error\":\"{message}\",\"message\":\"{message}\",\"code\":7}}", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Same_origin_is_allowed_and_dns_names_are_refused_on_loopback()
    {
        using (var same = new HttpRequestMessage(HttpMethod.Get, "/version"))
        {
            same.Headers.Add("Origin", Http.BaseAddress!.GetLeftPart(UriPartial.Authority));
            using var response = await Http.SendAsync(same, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var rebinding = new HttpRequestMessage(HttpMethod.Get, "/version");
        rebinding.Headers.Host = "attacker.example:2379";
        using var refused = await Http.SendAsync(rebinding, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Host must be an IP address or localhost", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_server_answers_502()
    {
        await _node!.Server.StopAsync(TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => _node.Server.StatusAsync(TestContext.Current.CancellationToken));
        Assert.Equal(502, error.Code);
    }
}
