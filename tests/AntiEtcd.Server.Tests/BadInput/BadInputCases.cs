using System.Text;

namespace AntiEtcd.Server.Tests.BadInput;

/// <summary>The table of bad inputs (SPEC §3.1–§3.3, §3.6, §10.5) and their exact answers.</summary>
public static class BadInputCases
{
    internal const string ValidJson = "body should be valid JSON";
    internal const string JsonObject = "body should be JSON object";
    internal const string TooLarge = "etcdserver: request is too large";
    internal const string UsePost = "Please use POST method";
    internal const string UseGet = "Please use GET method";
    internal const string WatchOverWebSocket = "watch is only available over WebSocket";
    internal const string CrossOrigin = "cross-origin requests are not allowed";
    internal const string HostNotIp = "Host must be an IP address or localhost";
    internal const string NotFound =
        "Supported APIs: /v3/kv/range, /v3/kv/put, /v3/kv/deleterange, /v3/kv/txn, /v3/kv/compaction, /v3/lease/grant, /v3/lease/revoke, /v3/kv/lease/revoke, /v3/lease/keepalive, /v3/lease/timetolive, /v3/kv/lease/timetolive, /v3/lease/leases, /v3/kv/lease/leases, /v3/maintenance/status";

    private const int MaxRequestBytes = 2 * 1024 * 1024;

    private static readonly Lazy<Dictionary<string, BadInputCase>> LazyAll = new(Build);

    /// <summary>Every case by name.</summary>
    public static IReadOnlyDictionary<string, BadInputCase> All => LazyAll.Value;

    /// <summary>The case names, for <c>MemberData</c>.</summary>
    public static IEnumerable<TheoryDataRow<string>> Names()
    {
        foreach (var (name, c) in All)
        {
            yield return new TheoryDataRow<string>(name) { Skip = c.Bug is null ? null : "BUG: " + c.Bug };
        }
    }

    internal static string Field(string field, string expected) => $"invalid value for field \"{field}\": expected {expected}";

    internal static string OutOfRange(string field) => $"invalid value for field \"{field}\": integer out of range";

    internal static string Base64(int offset) => $"illegal base64 data at input byte {offset}";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Bytes(params object[] parts)
    {
        var bytes = new List<byte>();
        foreach (var part in parts)
        {
            bytes.AddRange(part is string s ? Utf8(s) : (byte[])part);
        }

        return [.. bytes];
    }

    private static Dictionary<string, BadInputCase> Build()
    {
        var all = new Dictionary<string, BadInputCase>(StringComparer.Ordinal);
        void Add(BadInputCase c)
        {
            if (!all.TryAdd(c.Name, c))
            {
                throw new InvalidOperationException($"duplicate case name {c.Name}");
            }
        }

        void Post(string group, string name, string path, byte[] body, int status, string? error, int code = 3) =>
            Add(new BadInputCase(group, name, "POST", path, body, status, error, code));

        void Range(string group, string name, string body, string error) => Post(group, name, "/v3/kv/range", Utf8(body), 400, error);
        void Txn(string group, string name, string body, string error) => Post(group, name, "/v3/kv/txn", Utf8(body), 400, error);

        // --- malformed JSON (§3.2 step 5) ---
        const string json = "json";
        Range(json, "truncated object", """{"key":"Zm9v" """, ValidJson);
        Range(json, "truncated after colon", """{"key":""", ValidJson);
        Range(json, "truncated string", """{"key":"Zm9""", ValidJson);
        Range(json, "lone open brace", "{", ValidJson);
        Range(json, "lone close brace", "}", ValidJson);
        Range(json, "trailing garbage", """{"key":"Zm9v"} xyz""", ValidJson);
        Range(json, "trailing comma after object", """{"key":"Zm9v"},""", ValidJson);
        Range(json, "two objects", """{"key":"Zm9v"}{"key":"Zm9w"}""", ValidJson);
        Range(json, "two objects with space", """{"key":"Zm9v"} {}""", ValidJson);
        Range(json, "trailing comma in object", """{"key":"Zm9v",}""", ValidJson);
        Range(json, "missing comma", """{"key":"Zm9v" "limit":1}""", ValidJson);
        Range(json, "unquoted name", """{key:"Zm9v"}""", ValidJson);
        Range(json, "single quotes", "{'key':'Zm9v'}", ValidJson);
        Range(json, "block comment", """{"key":"Zm9v" /* c */}""", ValidJson);
        Range(json, "line comment", "// c\n{\"key\":\"Zm9v\"}", ValidJson);
        Range(json, "NaN", """{"key":"Zm9v","limit":NaN}""", ValidJson);
        Range(json, "Infinity", """{"key":"Zm9v","limit":Infinity}""", ValidJson);
        Range(json, "minus Infinity", """{"key":"Zm9v","limit":-Infinity}""", ValidJson);
        Range(json, "leading zero", """{"key":"Zm9v","limit":01}""", ValidJson);
        Range(json, "leading plus", """{"key":"Zm9v","limit":+1}""", ValidJson);
        Range(json, "bare dot fraction", """{"key":"Zm9v","limit":.5}""", ValidJson);
        Range(json, "invalid escape", """{"key":"Zm9v","x":"\q"}""", ValidJson);
        Range(json, "short unicode escape", """{"key":"Zm9v","x":"\u12"}""", ValidJson);
        Range(json, "True capitalized", """{"key":"Zm9v","keys_only":True}""", ValidJson);
        Post(json, "raw control character in string", "/v3/kv/range", Bytes("{\"key\":\"Zm9v\",\"x\":\"a", new byte[] { 0x01 }, "\"}"), 400, ValidJson);
        Post(json, "invalid UTF-8 byte FF in a string", "/v3/kv/range", Bytes("{\"key\":\"Zm9v\",\"x\":\"", new byte[] { 0xFF }, "\"}"), 400, ValidJson);
        Post(json, "invalid UTF-8 overlong NUL", "/v3/kv/range", Bytes("{\"key\":\"Zm9v\",\"x\":\"", new byte[] { 0xC0, 0x80 }, "\"}"), 400, ValidJson);
        Post(json, "invalid UTF-8 truncated sequence", "/v3/kv/range", Bytes("{\"key\":\"Zm9v\",\"x\":\"", new byte[] { 0xE2, 0x82 }, "\"}"), 400, ValidJson);
        Post(json, "invalid UTF-8 encoded surrogate", "/v3/kv/range", Bytes("{\"key\":\"Zm9v\",\"x\":\"", new byte[] { 0xED, 0xA0, 0x80 }, "\"}"), 400, ValidJson);
        Post(json, "invalid UTF-8 in a field name", "/v3/kv/range", Bytes("{\"key\":\"Zm9v\",\"", new byte[] { 0xFE }, "\":1}"), 400, ValidJson);
        Post(json, "invalid UTF-8 outside strings", "/v3/kv/range", Bytes("{\"key\":\"Zm9v\"}", new byte[] { 0x80 }), 400, ValidJson);
        // SPEC does not say what an escaped lone surrogate (valid JSON grammar, not valid Unicode) is:
        // "body should be valid JSON" is the natural reading; ignoring it in an unknown field is
        // also defensible. A 500 never is.
        Add(new BadInputCase(json, "lone high surrogate escape in an unknown field", "POST", "/v3/kv/range", Utf8("""{"key":"Zm9v","x":"\ud800"}"""), 400, ValidJson) { Also = [(200, null)] });
        Add(new BadInputCase(json, "lone low surrogate escape in a field name", "POST", "/v3/kv/range", Utf8("""{"\udc00":1,"key":"Zm9v"}"""), 400, ValidJson));
        Add(new BadInputCase(json, "lone surrogate escape in a bytes field", "POST", "/v3/kv/range", Utf8("""{"key":"\ud800"}"""), 400, ValidJson));
        Add(new BadInputCase(json, "reversed surrogate pair escape in an enum", "POST", "/v3/kv/range", Utf8("""{"key":"Zm9v","sort_order":"\udc00\ud800"}"""), 400, ValidJson));
        Post(json, "UTF-8 BOM", "/v3/kv/range", Bytes(new byte[] { 0xEF, 0xBB, 0xBF }, "{\"key\":\"Zm9v\"}"), 400, ValidJson);
        Post(json, "UTF-16 body", "/v3/kv/range", Encoding.Unicode.GetBytes("{\"key\":\"Zm9v\"}"), 400, ValidJson);
        Post(json, "NUL byte after the object", "/v3/kv/range", Bytes("{\"key\":\"Zm9v\"}", new byte[] { 0 }), 400, ValidJson);

        // --- not an object (§3.2 step 5) ---
        const string nonObject = "non-object";
        Post(nonObject, "empty array", "/v3/kv/put", Utf8("[]"), 400, JsonObject);
        Post(nonObject, "array of numbers", "/v3/kv/put", Utf8("[1,2]"), 400, JsonObject);
        Post(nonObject, "string", "/v3/kv/put", Utf8("\"Zm9v\""), 400, JsonObject);
        Post(nonObject, "number", "/v3/kv/put", Utf8("42"), 400, JsonObject);
        Post(nonObject, "true", "/v3/kv/put", Utf8("true"), 400, JsonObject);
        Post(nonObject, "false", "/v3/kv/put", Utf8("false"), 400, JsonObject);
        Post(nonObject, "null", "/v3/kv/put", Utf8("null"), 400, JsonObject);
        Post(nonObject, "null with whitespace", "/v3/lease/grant", Utf8(" \r\n\tnull \n"), 400, JsonObject);
        Post(nonObject, "whitespace only is {} (key not provided)", "/v3/kv/range", Utf8(" \r\n\t "), 400, "etcdserver: key is not provided");

        // --- wrong types for every field kind (§3.3) ---
        const string types = "types";
        Range(types, "int64 as bool", """{"key":"Zm9v","limit":true}""", Field("limit", "integer"));
        Range(types, "int64 as word", """{"key":"Zm9v","limit":"abc"}""", Field("limit", "integer"));
        Range(types, "int64 as empty string", """{"key":"Zm9v","limit":""}""", Field("limit", "integer"));
        Range(types, "int64 string with space", """{"key":"Zm9v","limit":" 1"}""", Field("limit", "integer"));
        Range(types, "int64 string with plus", """{"key":"Zm9v","limit":"+1"}""", Field("limit", "integer"));
        Range(types, "int64 as array", """{"key":"Zm9v","revision":[]}""", Field("revision", "integer"));
        Range(types, "int64 as object", """{"key":"Zm9v","revision":{}}""", Field("revision", "integer"));
        Range(types, "int64 as fraction", """{"key":"Zm9v","revision":1.5}""", Field("revision", "integer"));
        Range(types, "int64 as 1.0", """{"key":"Zm9v","revision":1.0}""", Field("revision", "integer"));
        Range(types, "int64 with exponent", """{"key":"Zm9v","limit":1e3}""", Field("limit", "integer"));
        Range(types, "int64 with capital exponent", """{"key":"Zm9v","limit":1E3}""", Field("limit", "integer"));
        Range(types, "int64 as -0.0", """{"key":"Zm9v","limit":-0.0}""", Field("limit", "integer"));
        Range(types, "int64 string with fraction", """{"key":"Zm9v","limit":"1.5"}""", Field("limit", "integer"));
        Range(types, "int64 string with exponent", """{"key":"Zm9v","limit":"1e3"}""", Field("limit", "integer"));
        Range(types, "int64 max+1", """{"key":"Zm9v","limit":9223372036854775808}""", OutOfRange("limit"));
        Range(types, "int64 min-1", """{"key":"Zm9v","limit":-9223372036854775809}""", OutOfRange("limit"));
        Range(types, "int64 huge", """{"key":"Zm9v","min_mod_revision":123456789012345678901234567890}""", OutOfRange("min_mod_revision"));
        Range(types, "int64 max+1 as string", """{"key":"Zm9v","max_create_revision":"9223372036854775808"}""", OutOfRange("max_create_revision"));
        Post(types, "lease ID out of range", "/v3/lease/grant", Utf8("""{"TTL":5,"ID":18446744073709551615}"""), 400, OutOfRange("ID"));
        Post(types, "TTL as bool", "/v3/lease/grant", Utf8("""{"TTL":false}"""), 400, Field("TTL", "integer"));
        Range(types, "bool as number", """{"key":"Zm9v","keys_only":1}""", Field("keys_only", "boolean"));
        Range(types, "bool as string", """{"key":"Zm9v","count_only":"true"}""", Field("count_only", "boolean"));
        Range(types, "bool flag in body as string", """{"key":"Zm9v","serializable":"yes"}""", Field("serializable", "boolean"));
        Range(types, "bool as object", """{"key":"Zm9v","keys_only":{}}""", Field("keys_only", "boolean"));
        Range(types, "bytes as number", """{"key":123}""", Field("key", "string"));
        Range(types, "bytes as bool", """{"key":true}""", Field("key", "string"));
        Range(types, "bytes as array", """{"key":["Zm9v"]}""", Field("key", "string"));
        Range(types, "bytes as object", """{"key":{}}""", Field("key", "string"));
        Post(types, "value as number", "/v3/kv/put", Utf8("""{"key":"Zm9v","value":1}"""), 400, Field("value", "string"));
        Range(types, "enum unknown name", """{"key":"Zm9v","sort_order":"SIDEWAYS"}""", "unknown value \"SIDEWAYS\" for enum etcdserverpb.RangeRequest_SortOrder");
        Range(types, "enum lower case", """{"key":"Zm9v","sort_target":"key"}""", "unknown value \"key\" for enum etcdserverpb.RangeRequest_SortTarget");
        Range(types, "sort order number outside enum", """{"key":"Zm9v","sort_order":3}""", "etcdserver: invalid sort option");
        Range(types, "sort target negative number", """{"key":"Zm9v","sort_target":-1}""", "etcdserver: invalid sort option");
        Txn(types, "compare target number outside enum", """{"compare":[{"key":"Zm9v","target":5}]}""", "unknown value 5 for enum etcdserverpb.Compare_CompareTarget");
        Txn(types, "compare result unknown name", """{"compare":[{"key":"Zm9v","result":"BIGGER"}]}""", "unknown value \"BIGGER\" for enum etcdserverpb.Compare_CompareResult");
        // SPEC §3.3 names no message for an enum of the wrong JSON type; the server's "expected enum" follows the table's pattern.
        Range(types, "enum as bool", """{"key":"Zm9v","sort_order":true}""", Field("sort_order", "enum"));
        Txn(types, "enum as object", """{"compare":[{"key":"Zm9v","result":{}}]}""", Field("compare[0].result", "enum"));
        Range(types, "enum number as string is a name", """{"key":"Zm9v","sort_target":"2"}""", "unknown value \"2\" for enum etcdserverpb.RangeRequest_SortTarget");
        Txn(types, "array as object", """{"compare":{}}""", Field("compare", "array"));
        Txn(types, "array as string", """{"success":"x"}""", Field("success", "array"));
        Txn(types, "compare entry not an object", """{"compare":[1]}""", Field("compare[0]", "object"));
        Txn(types, "RequestOp not an object", """{"success":[[]]}""", Field("success[0]", "object"));
        Txn(types, "request_put as array", """{"success":[{"request_put":[]}]}""", Field("success[0].request_put", "object"));
        Txn(types, "nested put lease", """{"success":[{"request_put":{"key":"Zm9v","lease":"x"}}]}""", Field("success[0].request_put.lease", "integer"));
        Txn(types, "camelCase path is reported in snake_case", """{"success":[{"requestPut":{"key":"Zm9v","prevKv":"yes"}}]}""", Field("success[0].request_put.prev_kv", "boolean"));
        Txn(types, "deep nested txn path", """{"failure":[{},{"request_txn":{"success":[{"request_range":{"key":1}}]}}]}""", Field("failure[1].request_txn.success[0].request_range.key", "string"));
        Txn(types, "nested compare enum", """{"success":[{"request_txn":{"compare":[{"key":"Zm9v","target":"SIZE"}]}}]}""", "unknown value \"SIZE\" for enum etcdserverpb.Compare_CompareTarget");
        Txn(types, "more than one operation", """{"success":[{"request_put":{"key":"Zm9v"},"request_range":{"key":"Zm9v"}}]}""", "invalid value for field \"success[0]\": more than one operation");
        Txn(types, "more than one operation nested", """{"failure":[{"request_txn":{"failure":[{"request_range":{"key":"Zm9v"},"requestDeleteRange":{"key":"Zm9v"}}]}}]}""", "invalid value for field \"failure[0].request_txn.failure[0]\": more than one operation");
        Range(types, "first invalid field in document order", """{"limit":"x","key":1}""", Field("limit", "integer"));
        Range(types, "first invalid field in document order reversed", """{"key":1,"limit":"x"}""", Field("key", "string"));
        Add(new BadInputCase(types, "last occurrence wins, earlier not validated", "POST", "/v3/kv/range", Utf8("""{"key":1,"limit":"x","key":"Zm9v","limit":2}"""), 200) { BodyContains = "\"header\"" });
        Add(new BadInputCase(types, "null is missing", "POST", "/v3/kv/range", Utf8("""{"key":"Zm9v","limit":null,"keys_only":null,"sort_order":null}"""), 200) { BodyContains = "\"header\"" });

        // --- base64 (§3.3) ---
        const string base64 = "base64";
        Post(base64, "SPEC example unpadded", "/v3/kv/put", Utf8("""{"key":"Zm9vMQ","value":"MQ=="}"""), 400, Base64(4));
        Post(base64, "SPEC example url-safe", "/v3/kv/put", Utf8("""{"key":"_-8=","value":"MQ=="}"""), 400, Base64(0));
        Post(base64, "SPEC example not base64", "/v3/kv/put", Utf8("""{"key":"not base64!!","value":"MQ=="}"""), 400, Base64(3));
        Post(base64, "space inside", "/v3/kv/put", Utf8("""{"key":"Zm9v YmFy"}"""), 400, Base64(4));
        Post(base64, "minus after a full group", "/v3/kv/put", Utf8("""{"key":"Zm9v-A=="}"""), 400, Base64(4));
        Post(base64, "single character", "/v3/kv/put", Utf8("""{"key":"Z"}"""), 400, Base64(0));
        Post(base64, "value unpadded", "/v3/kv/put", Utf8("""{"key":"Zm9v","value":"MQ"}"""), 400, Base64(0));
        Post(base64, "range_end bad", "/v3/kv/range", Utf8("""{"key":"Zm9v","range_end":"Zm9w!"}"""), 400, Base64(4));
        Post(base64, "compare value bad", "/v3/kv/txn", Utf8("""{"compare":[{"key":"Zm9v","target":"VALUE","value":"!"}]}"""), 400, Base64(0));
        Add(new BadInputCase(base64, "CR LF are skipped", "POST", "/v3/kv/put", Utf8("""{"key":"Zm9v\r\nYmFy","value":"MQ=="}"""), 200) { BodyContains = "\"header\"" });
        Add(new BadInputCase(base64, "non-zero unused bits are accepted", "POST", "/v3/kv/put", Utf8("""{"key":"Zm9=","value":"MR=="}"""), 200) { BodyContains = "\"header\"" });

        // --- nesting (§3.2 step 5, §10.4) ---
        const string nesting = "nesting";
        Add(new BadInputCase(nesting, "depth 64 is accepted", "POST", "/v3/kv/range", Utf8("{\"key\":\"Zm9v\",\"x\":" + new string('[', 63) + new string(']', 63) + "}"), 200) { BodyContains = "\"header\"" });
        Range(nesting, "depth 65 is refused", "{\"key\":\"Zm9v\",\"x\":" + new string('[', 64) + new string(']', 64) + "}", ValidJson);
        Range(nesting, "depth 65 of objects is refused", string.Concat(Enumerable.Repeat("{\"a\":", 65)) + "1" + new string('}', 65), ValidJson);
        Range(nesting, "100000-deep array", new string('[', 100_000) + new string(']', 100_000), ValidJson);
        Range(nesting, "100000-deep unclosed array", new string('[', 100_000), ValidJson);
        Range(nesting, "100000-deep object", string.Concat(Enumerable.Repeat("{\"a\":", 100_000)) + "1" + new string('}', 100_000), ValidJson);

        // --- size (§3.2 step 4) ---
        const string size = "size";
        var exactly = Utf8("{\"key\":\"Zm9v\"}" + new string(' ', MaxRequestBytes - 14));
        Add(new BadInputCase(size, "exactly max_request_bytes is accepted", "POST", "/v3/kv/range", exactly, 200) { BodyContains = "\"header\"" });
        Add(new BadInputCase(size, "exactly max_request_bytes chunked is accepted", "POST", "/v3/kv/range", exactly, 200) { BodyContains = "\"header\"", Chunked = true });
        var over = Utf8("{\"key\":\"Zm9v\"}" + new string(' ', MaxRequestBytes - 13));
        Post(size, "one byte over by Content-Length", "/v3/kv/range", over, 413, TooLarge);
        Add(new BadInputCase(size, "one byte over chunked", "POST", "/v3/kv/range", over, 413, TooLarge) { Chunked = true });
        var big = Utf8("{\"key\":\"Ymln\",\"value\":\"" + new string('A', 3 * 1024 * 1024) + "\"}");
        Post(size, "3 MiB put by Content-Length", "/v3/kv/put", big, 413, TooLarge);
        Add(new BadInputCase(size, "3 MiB put chunked", "POST", "/v3/kv/put", big, 413, TooLarge) { Chunked = true });

        // --- routing (§3.1, §3.2 step 2) ---
        const string routes = "routes";
        foreach (var path in new[]
        {
            "/", "/v3", "/v3/kv", "/v3/kv/", "/v3/kv/range/", "//v3/kv/range", "/v3//kv/range", "/v3/kv//range", "/V3/kv/range",
            "/v3/KV/range", "/v3/kv/Range", "/v3/kv/RANGE", "/v3/kv/nope", "/v3beta/kv/range", "/v3alpha/kv/range",
            "/v3/lease/keepalive/", "/v3/kv/lease/grant", "/v3/kv/lease/keepalive", "/v3/maintenance/hash", "/v3/auth/status",
            "/v3/cluster/member/list", "/v3/watch/", "/watch/", "/Health", "/health/", "/metrics/", "/version/", "/antietcd", "/v3/kv/range.json",
        })
        {
            Post(routes, "404 POST " + path, path, Utf8("{\"key\":\"Zm9v\"}"), 404, NotFound, 5);
        }

        Add(new BadInputCase(routes, "404 GET on unknown path", "GET", "/nope", null, 404, NotFound, 5));
        Add(new BadInputCase(routes, "query string is ignored", "POST", "/v3/kv/range?x=1&y", Utf8("{\"key\":\"Zm9v\"}"), 200) { BodyContains = "\"header\"" });
        foreach (var path in new[] { "/v3/kv/range", "/v3/kv/put", "/v3/kv/txn", "/v3/lease/grant", "/v3/kv/lease/revoke", "/v3/lease/keepalive", "/v3/lease/leases", "/v3/maintenance/status" })
        {
            foreach (var method in new[] { "GET", "PUT", "DELETE", "PATCH", "OPTIONS" })
            {
                Add(new BadInputCase(routes, $"405 {method} {path}", method, path, null, 405, UsePost, 12) { Allow = "POST" });
            }
        }

        Add(new BadInputCase(routes, "405 HEAD /v3/kv/range (no body)", "HEAD", "/v3/kv/range", null, 405) { Allow = "POST" });
        Add(new BadInputCase(routes, "405 PUT with a JSON body", "PUT", "/v3/kv/put", Utf8("""{"key":"Zm9v","value":"YmFy"}"""), 405, UsePost, 12) { Allow = "POST" });
        foreach (var method in new[] { "POST", "PUT", "DELETE", "OPTIONS" })
        {
            Add(new BadInputCase(routes, $"405 {method} /health", method, "/health", null, 405, UseGet, 12) { Allow = "GET, HEAD" });
            Add(new BadInputCase(routes, $"405 {method} /metrics", method, "/metrics", null, 405, UseGet, 12) { Allow = "GET" });
            Add(new BadInputCase(routes, $"405 {method} /version", method, "/version", null, 405, UseGet, 12) { Allow = "GET" });
        }

        Add(new BadInputCase(routes, "405 HEAD /metrics (no body)", "HEAD", "/metrics", null, 405) { Allow = "GET" });
        Add(new BadInputCase(routes, "405 HEAD /version (no body)", "HEAD", "/version", null, 405) { Allow = "GET" });
        Add(new BadInputCase(routes, "GET /health", "GET", "/health", null, 200) { BodyContains = "{\"health\":\"true\"}" });
        Add(new BadInputCase(routes, "HEAD /health", "HEAD", "/health", null, 200));
        Add(new BadInputCase(routes, "GET /version", "GET", "/version", null, 200) { BodyContains = "{\"etcdserver\":\"3.4.0\",\"etcdcluster\":\"3.4.0\"}" });
        foreach (var path in new[] { "/v3/watch", "/watch" })
        {
            foreach (var method in new[] { "GET", "POST", "PUT", "DELETE", "OPTIONS" })
            {
                Add(new BadInputCase(routes, $"501 {method} {path} without upgrade", method, path, method == "POST" ? Utf8("{\"create_request\":{\"key\":\"Zm9v\"}}") : null, 501, WatchOverWebSocket, 12));
            }
        }

        // --- browser checks (§3.2 step 1, §10.5); the test server listens on 127.0.0.1 only ---
        const string browser = "browser";
        static KeyValuePair<string, string> H(string name, string value) => new(name, value);
        var range = Utf8("{\"key\":\"Zm9v\"}");
        Add(new BadInputCase(browser, "OPTIONS preflight from another origin", "OPTIONS", "/v3/kv/range", null, 403, CrossOrigin, 7)
        { Headers = [H("Origin", "http://evil.example"), H("Access-Control-Request-Method", "POST"), H("Access-Control-Request-Headers", "content-type")] });
        Add(new BadInputCase(browser, "OPTIONS preflight from the same origin", "OPTIONS", "/v3/kv/range", null, 405, UsePost, 12)
        { Allow = "POST", Headers = [H("Origin", "http://127.0.0.1:{port}"), H("Access-Control-Request-Method", "POST")] });
        Add(new BadInputCase(browser, "Origin of another site", "POST", "/v3/kv/range", range, 403, CrossOrigin, 7) { Headers = [H("Origin", "http://evil.example")] });
        Add(new BadInputCase(browser, "Origin with another port", "POST", "/v3/kv/put", Utf8("""{"key":"Zm9v","value":"YmFy"}"""), 403, CrossOrigin, 7) { Headers = [H("Origin", "http://127.0.0.1:1")] });
        Add(new BadInputCase(browser, "Origin localhost vs Host 127.0.0.1", "POST", "/v3/kv/range", range, 403, CrossOrigin, 7) { Headers = [H("Origin", "http://localhost:{port}")] });
        Add(new BadInputCase(browser, "Origin null", "POST", "/v3/kv/range", range, 403, CrossOrigin, 7) { Headers = [H("Origin", "null")] });
        Add(new BadInputCase(browser, "Origin mismatch on an unknown path is 403 before 404", "POST", "/nope", range, 403, CrossOrigin, 7) { Headers = [H("Origin", "http://evil.example")] });
        Add(new BadInputCase(browser, "Origin mismatch on /health", "GET", "/health", null, 403, CrossOrigin, 7) { Headers = [H("Origin", "http://evil.example")] });
        Add(new BadInputCase(browser, "Origin mismatch on /v3/watch is 403 before 501", "GET", "/v3/watch", null, 403, CrossOrigin, 7) { Headers = [H("Origin", "http://evil.example")] });
        Add(new BadInputCase(browser, "Origin mismatch with a wrong method is 403 before 405", "GET", "/v3/kv/range", null, 403, CrossOrigin, 7) { Headers = [H("Origin", "http://evil.example")] });
        Add(new BadInputCase(browser, "same Origin is served", "POST", "/v3/kv/range", range, 200) { BodyContains = "\"header\"", Headers = [H("Origin", "http://127.0.0.1:{port}")] });
        Add(new BadInputCase(browser, "DNS name Host", "POST", "/v3/kv/range", range, 403, HostNotIp, 7) { Headers = [H("Host", "example.com:{port}")] });
        Add(new BadInputCase(browser, "DNS name Host without port", "POST", "/v3/kv/range", range, 403, HostNotIp, 7) { Headers = [H("Host", "example.com")] });
        Add(new BadInputCase(browser, "Host localhost subdomain", "POST", "/v3/kv/range", range, 403, HostNotIp, 7) { Headers = [H("Host", "evil.localhost:{port}")] });
        Add(new BadInputCase(browser, "DNS name Host on /health", "GET", "/health", null, 403, HostNotIp, 7) { Headers = [H("Host", "rebind.example:{port}")] });
        Add(new BadInputCase(browser, "DNS name Host on an unknown path", "GET", "/nope", null, 403, HostNotIp, 7) { Headers = [H("Host", "rebind.example:{port}")] });
        Add(new BadInputCase(browser, "Host localhost is served", "POST", "/v3/kv/range", range, 200) { BodyContains = "\"header\"", Headers = [H("Host", "localhost:{port}")] });
        Add(new BadInputCase(browser, "Host LOCALHOST is served", "POST", "/v3/kv/range", range, 200) { BodyContains = "\"header\"", Headers = [H("Host", "LOCALHOST:{port}")] });
        Add(new BadInputCase(browser, "Host IPv6 literal is served", "POST", "/v3/kv/range", range, 200) { BodyContains = "\"header\"", Headers = [H("Host", "[::1]:{port}")] });
        Add(new BadInputCase(browser, "Host other IPv4 literal is served", "POST", "/v3/kv/range", range, 200) { BodyContains = "\"header\"", Headers = [H("Host", "10.1.2.3")] });
        return all;
    }
}
