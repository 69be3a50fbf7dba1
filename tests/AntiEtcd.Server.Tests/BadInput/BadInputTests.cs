using static AntiEtcd.Server.Tests.Etcd;

namespace AntiEtcd.Server.Tests.BadInput;

/// <summary>
/// The bad-input sweep through real HTTP (SPEC §3.2, §3.3, §3.6, §10.5): the exact status and
/// error body for every case, never a 500, and the node still serves afterwards.
/// </summary>
public sealed class BadInputTests(BadInputNode node) : IClassFixture<BadInputNode>
{
    [Theory]
    [MemberData(nameof(BadInputCases.Names), MemberType = typeof(BadInputCases))]
    public async Task Bad_input_gets_the_exact_SPEC_answer(string name)
    {
        var c = BadInputCases.All[name];
        var ct = TestContext.Current.CancellationToken;
        // An absolute URI, so that "//v3/kv/range" is a path and not a host.
        using var request = new HttpRequestMessage(new HttpMethod(c.Method), new Uri($"http://127.0.0.1:{node.Port}{c.Path}"));
        if (c.Body is not null)
        {
            request.Content = c.Chunked ? new ChunkedContent(c.Body) : new ByteArrayContent(c.Body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        }

        foreach (var (header, value) in c.Headers)
        {
            var text = value.Replace("{port}", node.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            if (header == "Host")
            {
                request.Headers.Host = text;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(header, text);
            }
        }

        using var response = await node.Node.Http.SendAsync(request, ct);
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(ct);
        var context = $"[{c.Group}] {name}: {status} {(body.Length > 300 ? body[..300] : body)}";
        Assert.True(status != 500, context);
        foreach (var (otherStatus, otherError) in c.Also)
        {
            if (status == otherStatus && (otherError is null || body == ErrorBody(otherError, c.Code)))
            {
                await node.AssertStillServesAsync(name);
                return;
            }
        }

        Assert.True(c.Status == status, $"expected {c.Status}; {context}");
        if (c.Error is not null)
        {
            Assert.Equal(ErrorBody(c.Error, c.Code), body);
        }

        if (c.Method == "HEAD")
        {
            Assert.Equal("", body);
        }
        else if (c.Path != "/metrics" || status != 200)
        {
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"Content-Type {response.Content.Headers.ContentType}; {context}");
        }

        if (c.BodyContains is not null)
        {
            Assert.Contains(c.BodyContains, body, StringComparison.Ordinal);
        }

        if (c.Allow is not null)
        {
            Assert.Equal(c.Allow, string.Join(", ", response.Content.Headers.Allow));
        }

        foreach (var header in response.Headers)
        {
            Assert.False(header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase), $"CORS header {header.Key} sent (SPEC §10.5); {context}");
        }

        await node.AssertStillServesAsync(name);
    }

    private static string ErrorBody(string message, int code) => Error(message.Replace("\"", "\\\"", StringComparison.Ordinal), code);
}
