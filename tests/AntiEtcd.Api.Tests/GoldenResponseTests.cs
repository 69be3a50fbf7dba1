using System.Text;
using System.Text.Json;
using AntiEtcd.Api.Json;

namespace AntiEtcd.Api.Tests;

/// <summary>
/// Every JSON response body captured from etcd, decoded into DTOs and re-encoded by
/// <see cref="ApiJsonWriter"/>, must come out byte for byte (SPEC §3.4). Watch messages are
/// compared after the two SPEC §14.2 changes (<c>watch_id</c> and <c>type</c> always written).
/// </summary>
public sealed class GoldenResponseTests
{
    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (string name in GoldenCapture.List())
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void ReEncodesByteForByte(string name)
    {
        var capture = GoldenCapture.Load(name);
        int compared = 0;
        foreach (string body in Bodies(capture))
        {
            string? encoded = Encode(capture, body);
            if (encoded is not null)
            {
                Assert.Equal(Expected(capture, body), encoded);
                compared++;
            }
        }

        // Only the routes AntiEtcd does not serve (and non-JSON bodies) may compare nothing.
        if (compared == 0)
        {
            Assert.True(!IsServedRoute(capture.Path) || !capture.ResponseText.StartsWith('{') || capture.Path == "/v3/watch",
                $"{name}: nothing compared");
        }
    }

    [Fact]
    public void AllCapturesAreFound()
    {
        Assert.True(GoldenCapture.List().Count >= 170, $"found {GoldenCapture.List().Count} captures in {GoldenCapture.Directory}");
        Assert.True(GoldenCapture.List("watch").Count >= 16);
    }

    [Fact]
    public void CaptureParserReadsRequestAndResponse()
    {
        var capture = GoldenCapture.Load("errors/empty-body.txt");
        Assert.Equal(("POST", "/v3/kv/range"), (capture.Method, capture.Path));
        Assert.Empty(capture.RequestBody);
        Assert.Equal(400, capture.StatusCode);
        Assert.True(capture.IsExactBody);
        Assert.Equal("application/json", capture.ResponseHeader("content-type"));
        Assert.Equal("Grpc-Trailer-Content-Type", Assert.Single(capture.Trailers).Key);
        Assert.StartsWith("{\"error\":\"etcdserver: key is not provided\"", capture.ResponseText, StringComparison.Ordinal);

        capture = GoldenCapture.Load("watch/post-chunked-interactive.txt");
        Assert.Equal(200, capture.StatusCode);
        Assert.False(capture.IsExactBody);
        Assert.Equal(4, capture.ResponseLines.Count);

        capture = GoldenCapture.Load("watch/post-empty-object.txt");
        Assert.Equal("{}", capture.RequestText);
        Assert.Equal(0, capture.StatusCode);
    }

    [Fact]
    public void WebSocketSessionMessagesReEncode()
    {
        // "[+  10ms] recv text: {...}" lines of the WebSocket log, which is not in the capture format.
        string text = File.ReadAllText(Path.Combine(GoldenCapture.Directory, "watch", "websocket-session.txt"));
        int compared = 0;
        foreach (string line in text.Split('\n'))
        {
            int at = line.IndexOf("recv text: ", StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            string body = line[(at + "recv text: ".Length)..].TrimEnd('\r');
            Assert.Equal(ExpectedWatch(body), TestJson.Encode(Parse(body, GoldenResponseParser.WatchResult), ApiJsonWriter.WriteWatchResult));
            compared++;
        }

        Assert.Equal(7, compared);
    }

    /// <summary>The JSON messages of a capture: the exact body, or each streamed line.</summary>
    private static IEnumerable<string> Bodies(GoldenCapture capture)
    {
        if (capture.IsExactBody)
        {
            yield return capture.ResponseText;
            yield break;
        }

        foreach (string line in capture.ResponseLines)
        {
            if (line.StartsWith('{'))
            {
                yield return line;
            }
        }
    }

    private static bool IsServedRoute(string path) => path switch
    {
        "/v3/kv/range" or "/v3beta/kv/range" or "/v3/kv/put" or "/v3/kv/deleterange" or "/v3/kv/txn"
            or "/v3/kv/compaction" or "/v3/lease/grant" or "/v3/lease/revoke" or "/v3/kv/lease/revoke"
            or "/v3/lease/keepalive" or "/v3/lease/timetolive" or "/v3/kv/lease/timetolive"
            or "/v3/lease/leases" or "/v3/kv/lease/leases" or "/v3/maintenance/status" or "/v3/watch" => true,
        _ => false,
    };

    /// <summary>Re-encodes one body, or returns null when the route is not one AntiEtcd serves.</summary>
    private static string? Encode(GoldenCapture capture, string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !IsServedRoute(capture.Path))
        {
            return null;
        }

        if (root.TryGetProperty("error", out var error))
        {
            return TestJson.Encode(
                (Message: error.GetString()!, Code: root.GetProperty("code").GetInt32()),
                static (w, e) => ApiJsonWriter.WriteError(w, e.Message, e.Code));
        }

        return capture.Path switch
        {
            "/v3/kv/range" or "/v3beta/kv/range" => TestJson.Encode(GoldenResponseParser.Range(root), ApiJsonWriter.Write),
            "/v3/kv/put" => TestJson.Encode(GoldenResponseParser.Put(root), ApiJsonWriter.Write),
            "/v3/kv/deleterange" => TestJson.Encode(GoldenResponseParser.DeleteRange(root), ApiJsonWriter.Write),
            "/v3/kv/txn" => TestJson.Encode(GoldenResponseParser.Txn(root), ApiJsonWriter.Write),
            "/v3/kv/compaction" => TestJson.Encode(GoldenResponseParser.Compaction(root), ApiJsonWriter.Write),
            "/v3/lease/grant" => TestJson.Encode(GoldenResponseParser.LeaseGrant(root), ApiJsonWriter.Write),
            "/v3/lease/revoke" or "/v3/kv/lease/revoke" => TestJson.Encode(GoldenResponseParser.LeaseRevoke(root), ApiJsonWriter.Write),
            "/v3/lease/keepalive" => TestJson.Encode(GoldenResponseParser.KeepAliveResult(root), ApiJsonWriter.WriteKeepAliveResult),
            "/v3/lease/timetolive" or "/v3/kv/lease/timetolive" => TestJson.Encode(GoldenResponseParser.LeaseTimeToLive(root), ApiJsonWriter.Write),
            "/v3/lease/leases" or "/v3/kv/lease/leases" => TestJson.Encode(GoldenResponseParser.LeaseLeases(root), ApiJsonWriter.Write),
            "/v3/maintenance/status" => TestJson.Encode(GoldenResponseParser.Status(root), ApiJsonWriter.Write),
            "/v3/watch" => TestJson.Encode(GoldenResponseParser.WatchResult(root), ApiJsonWriter.WriteWatchResult),
            _ => null,
        };
    }

    private static T Parse<T>(string body, Func<JsonElement, T> parse)
    {
        using var document = JsonDocument.Parse(body);
        return parse(document.RootElement);
    }

    /// <summary>
    /// The expected bytes: etcd's, except in watch messages, where SPEC §7.3/§14.2 always write
    /// <c>watch_id</c> (etcd leaves out <c>"0"</c>) and event <c>type</c> (etcd leaves out <c>"PUT"</c>).
    /// </summary>
    private static string Expected(GoldenCapture capture, string body)
    {
        return capture.Path == "/v3/watch" ? ExpectedWatch(body) : body;
    }

    private static string ExpectedWatch(string body)
    {
        if (!body.StartsWith("{\"result\":", StringComparison.Ordinal))
        {
            return body;
        }

        var builder = new StringBuilder(body.Replace("{\"kv\":", "{\"type\":\"PUT\",\"kv\":", StringComparison.Ordinal));
        if (!body.Contains("\"watch_id\":", StringComparison.Ordinal))
        {
            // The header has no nested object: its first '}' closes it.
            int headerEnd = builder.ToString().IndexOf('}', StringComparison.Ordinal) + 1;
            builder.Insert(headerEnd, ",\"watch_id\":\"0\"");
        }

        return builder.ToString();
    }
}
