using static AntiEtcd.Api.Tests.TestJson;

namespace AntiEtcd.Api.Tests;

/// <summary>SPEC §3.3 base64: etcd's alphabet, padding, CR/LF and error offsets.</summary>
public sealed class Base64Tests
{
    private static byte[] Key(string base64Json) => Put("{\"key\":" + base64Json + "}").Key.ToArray();

    private static string KeyError(string base64Json) => PutError("{\"key\":" + base64Json + "}");

    [Theory]
    [InlineData("\"Zm9vMQ\"", 4)] // errors/put-base64-unpadded.txt
    [InlineData("\"_-8=\"", 0)] // errors/put-base64-urlsafe.txt
    [InlineData("\"not base64!!\"", 3)] // errors/bad-base64.txt
    [InlineData("\"Zm9v \"", 4)]
    [InlineData("\" Zm9v\"", 0)]
    [InlineData("\"Zm9v-\"", 4)]
    [InlineData("\"Z\"", 0)]
    [InlineData("\"Zm\"", 0)]
    [InlineData("\"Zm9\"", 0)]
    [InlineData("\"Zm9vZ\"", 4)]
    [InlineData("\"=\"", 0)]
    [InlineData("\"====\"", 0)]
    [InlineData("\"Z===\"", 1)]
    [InlineData("\"Zm9v=\"", 4)]
    [InlineData("\"Zm9v=AAA\"", 4)]
    [InlineData("\"Zg==Zg==\"", 4)]
    [InlineData("\"Zm8=Zg==\"", 4)]
    [InlineData("\"Zg==\\r\\nx\"", 6)]
    [InlineData("\"Zm=a\"", 3)]
    [InlineData("\"Zm=\"", 0)]
    [InlineData("\"Zm9vYmFy\\tYmF6\"", 8)]
    [InlineData("\"Zm9v\\u0000\"", 4)]
    [InlineData("\"Zm9v\\u00e9\"", 4)]
    [InlineData("\"Zm9v\\r\\nYm\"", 6)]
    [InlineData("\"\\u005f-8=\"", 0)]
    public void ErrorOffsets(string json, int offset) =>
        Assert.Equal($"illegal base64 data at input byte {offset}", KeyError(json));

    [Fact]
    public void NonAsciiIsAnError()
    {
        Assert.Equal("illegal base64 data at input byte 2", KeyError("\"Zm\u00e99v\""));
    }

    [Theory]
    [InlineData("\"Zm9v\"", "foo")]
    [InlineData("\"Zm9vMQ==\"", "foo1")]
    [InlineData("\"Zm9vMTI=\"", "foo12")]
    [InlineData("\"Zm9v\\nYmFy\"", "foobar")]
    [InlineData("\"\\r\\nZm\\r9v\\n\"", "foo")]
    [InlineData("\"Zg=\\n=\"", "f")]
    [InlineData("\"Zg==\\r\\n\"", "f")]
    [InlineData("\"Zm9vYmFy\"", "foobar")]
    [InlineData("\"Zm9\\/\"", "fo\u007f")]
    public void AcceptedForms(string json, string expected) =>
        Assert.Equal(System.Text.Encoding.Latin1.GetBytes(expected), Key(json));

    [Fact]
    public void StandardAlphabetWithPlusAndSlash()
    {
        // kv/put-base64-std-binary.txt
        Assert.Equal(new byte[] { 0xFF, 0xEF }, Key("\"/+8=\""));
        Assert.Equal(new byte[] { 0xFB, 0xFF, 0xBF }, Key("\"+/+/\""));
    }

    [Theory]
    [InlineData("\"Zh==\"", new byte[] { 0x66 })]
    [InlineData("\"Zm9=\"", new byte[] { 0x66, 0x6F })]
    [InlineData("\"//==\"", new byte[] { 0xFF })]
    [InlineData("\"///=\"", new byte[] { 0xFF, 0xFF })]
    public void NonZeroUnusedBitsAreAccepted(string json, byte[] expected) => Assert.Equal(expected, Key(json));

    [Fact]
    public void EmptyStringIsEmptyBytes()
    {
        Assert.Empty(Key("\"\""));
        Assert.Empty(Key("\"\\r\\n\""));
    }

    [Fact]
    public void LargeValueDecodes()
    {
        var value = new byte[1 << 20];
        new Random(42).NextBytes(value);
        string body = "{\"key\":\"eA==\",\"value\":\"" + Convert.ToBase64String(value) + "\"}";
        Assert.Equal(value, Put(body).Value.ToArray());

        // The same with JSON-escaped slashes, as some encoders write them.
        body = body.Replace("/", "\\/", StringComparison.Ordinal);
        Assert.Equal(value, Put(body).Value.ToArray());
    }

    [Fact]
    public void ErrorDeepInALargeValueHasItsOffset()
    {
        string good = Convert.ToBase64String(new byte[3000]);
        Assert.Equal("illegal base64 data at input byte 4000", PutError("{\"value\":\"" + good + "*AAA\"}"));
    }
}
