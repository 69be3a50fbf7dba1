using AntiEtcd.Api.Json;
using static AntiEtcd.Api.Tests.TestJson;

namespace AntiEtcd.Api.Tests;

/// <summary>SPEC §3.2 step 5: the body as a whole, before any field is decoded.</summary>
public sealed class BodyValidationTests
{
    private const string ValidJson = "body should be valid JSON";
    private const string JsonObject = "body should be JSON object";

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(" \t\r\n ")]
    public void EmptyOrWhiteSpaceBodyCountsAsEmptyObject(string body)
    {
        var request = Range(body);
        Assert.True(request.Key.IsEmpty);
        ApiJsonReader.ReadEmptyRequest(Utf8(body), out var flags);
        Assert.Equal(RequestFlags.None, flags);
    }

    [Theory]
    [InlineData("{\"key\":\"Zm9v\",")] // errors/bad-json.txt
    [InlineData("hello")] // errors/not-json.txt
    [InlineData("{\"key\":\"dDE=\"} xyz")] // misc/trailing-garbage-after-json.txt (etcd accepts it; SPEC §14.2)
    [InlineData("{\"key\":\"dDE=\"}{\"key\":\"dDI=\"}")] // misc/two-json-objects.txt
    [InlineData("{\"a\":1,}")]
    [InlineData("{'a':1}")]
    [InlineData("{/* comment */}")]
    [InlineData("{\"a\":01}")]
    [InlineData("{\"a\":NaN}")]
    [InlineData("[1,2")]
    [InlineData("{\"a\":\"\t\"}")]
    [InlineData("\"unterminated")]
    public void MalformedJsonIsRefused(string body) => Assert.Equal(ValidJson, RangeError(body));

    [Fact]
    public void InvalidUtf8InsideAStringIsRefused()
    {
        byte[] body = [.. Utf8("{\"bogus\":\""), 0xFF, .. Utf8("\"}")];
        Assert.Equal(ValidJson, DecodeError(() => ApiJsonReader.ReadRangeRequest(body, out _)));
    }

    [Fact]
    public void OverlongUtf8IsRefused()
    {
        byte[] body = [.. Utf8("{\"bogus\":\""), 0xC0, 0xAF, .. Utf8("\"}")];
        Assert.Equal(ValidJson, DecodeError(() => ApiJsonReader.ReadRangeRequest(body, out _)));
    }

    [Fact]
    public void ByteOrderMarkIsRefused()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. Utf8("{}")];
        Assert.Equal(ValidJson, DecodeError(() => ApiJsonReader.ReadRangeRequest(body, out _)));
    }

    [Theory]
    [InlineData("[1,2]")] // errors/json-array-body.txt
    [InlineData("\"x\"")]
    [InlineData("1")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData(" [] ")]
    public void ValueThatIsNotAnObjectIsRefused(string body) => Assert.Equal(JsonObject, RangeError(body));

    [Fact]
    public void SixtyFourLevelsAreAccepted()
    {
        // The body object is level 1; 63 nested arrays make 64.
        string body = "{\"bogus\":" + new string('[', 63) + new string(']', 63) + "}";
        Assert.True(Range(body).Key.IsEmpty);
    }

    [Fact]
    public void SixtyFiveLevelsAreRefused()
    {
        string body = "{\"bogus\":" + new string('[', 64) + new string(']', 64) + "}";
        Assert.Equal(ValidJson, RangeError(body));
    }

    [Fact]
    public void DeepNestedTxnAtTheLimitDecodes()
    {
        // Each nesting level adds 4 JSON levels: success array, op object, request_txn object.
        // {"success":[{"request_txn":{...}}]} → levels 1 (body), 2 (array), 3 (op), 4 (txn), ...
        string body = "{}";
        int depth = 1;
        while (depth + 3 <= 64)
        {
            body = "{\"success\":[{\"request_txn\":" + body + "}]}";
            depth += 3;
        }

        var txn = Txn(body);
        int levels = 0;
        for (var t = txn; t.Success.Count == 1; t = t.Success[0].RequestTxn!)
        {
            levels++;
        }

        Assert.Equal(21, levels);
        Assert.Equal(ValidJson, TxnError("{\"success\":[{\"request_txn\":" + body + "}]}"));
    }

    [Fact]
    public void SyntaxErrorAfterAnInvalidFieldIsStillAJsonError()
    {
        // Step 5 comes before step 6: the whole body is checked first.
        Assert.Equal(ValidJson, PutError("{\"lease\":\"x\",\"key\":"));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("yes", true)]
    [InlineData("YeS", true)]
    [InlineData("on", true)]
    [InlineData("ON", true)]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("no", false)]
    [InlineData("off", false)]
    [InlineData("2", false)]
    [InlineData(" true", false)]
    [InlineData("truex", false)]
    public void QueryFlagTruthiness(string value, bool expected) =>
        Assert.Equal(expected, ApiJsonReader.TryParseFlagValue(value));
}
