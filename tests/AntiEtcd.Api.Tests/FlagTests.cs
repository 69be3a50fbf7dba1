using AntiEtcd.Api.Json;
using static AntiEtcd.Api.Tests.TestJson;

namespace AntiEtcd.Api.Tests;

/// <summary>SPEC §3.5: the top-level body flags are bool fields of every request.</summary>
public sealed class FlagTests
{
    private const string AllFlags = "\"serializable\":true,\"leaderonly\":true,\"nowaitquorum\":true";
    private const RequestFlags All = RequestFlags.Serializable | RequestFlags.LeaderOnly | RequestFlags.NoWaitQuorum;

    [Fact]
    public void EveryReaderReturnsTheFlags()
    {
        byte[] body = Utf8("{" + AllFlags + "}");
        RequestFlags flags;
        Assert.True(ApiJsonReader.ReadRangeRequest(body, out flags).Serializable);
        Assert.Equal(All, flags);
        ApiJsonReader.ReadPutRequest(body, out flags);
        Assert.Equal(All, flags);
        ApiJsonReader.ReadDeleteRangeRequest(body, out flags);
        Assert.Equal(All, flags);
        Assert.True(ApiJsonReader.ReadTxnRequest(body, out flags).Serializable);
        Assert.Equal(All, flags);
        ApiJsonReader.ReadCompactionRequest(body, out flags);
        Assert.Equal(All, flags);
        ApiJsonReader.ReadLeaseGrantRequest(body, out flags);
        Assert.Equal(All, flags);
        ApiJsonReader.ReadLeaseRevokeRequest(body, out flags);
        Assert.Equal(All, flags);
        ApiJsonReader.ReadLeaseKeepAliveRequest(body, out flags);
        Assert.Equal(All, flags);
        ApiJsonReader.ReadLeaseTimeToLiveRequest(body, out flags);
        Assert.Equal(All, flags);
        ApiJsonReader.ReadEmptyRequest(body, out flags);
        Assert.Equal(All, flags);
    }

    [Fact]
    public void FalseAndAbsentFlagsAreNotSet()
    {
        ApiJsonReader.ReadEmptyRequest(Utf8("{\"serializable\":false,\"leaderonly\":null}"), out var flags);
        Assert.Equal(RequestFlags.None, flags);
        ApiJsonReader.ReadEmptyRequest(Utf8("{\"leaderonly\":true,\"leaderonly\":false}"), out flags);
        Assert.Equal(RequestFlags.None, flags);
        Assert.False(ApiJsonReader.ReadRangeRequest(Utf8("{\"serializable\":false}"), out flags).Serializable);
        Assert.Equal(RequestFlags.None, flags);
    }

    [Theory]
    [InlineData("serializable")]
    [InlineData("leaderonly")]
    [InlineData("nowaitquorum")]
    public void AFlagMustBeABool(string flag)
    {
        string expected = $"invalid value for field \"{flag}\": expected boolean";
        string body = "{\"" + flag + "\":\"true\"}";
        Assert.Equal(expected, DecodeError(() => ApiJsonReader.ReadEmptyRequest(Utf8(body), out _)));
        Assert.Equal(expected, DecodeError(() => ApiJsonReader.ReadPutRequest(Utf8(body), out _)));
        Assert.Equal(expected, DecodeError(() => ApiJsonReader.ReadTxnRequest(Utf8(body), out _)));
        Assert.Equal(expected, DecodeError(() => ApiJsonReader.ReadLeaseKeepAliveRequest(Utf8(body), out _)));
        Assert.Equal(expected, DecodeError(() => ApiJsonReader.ReadRangeRequest(Utf8("{\"" + flag + "\":1}"), out _)));
    }

    [Fact]
    public void FlagsHaveNoCamelCaseForm()
    {
        ApiJsonReader.ReadEmptyRequest(Utf8("{\"leaderOnly\":\"x\",\"noWaitQuorum\":1,\"Serializable\":true}"), out var flags);
        Assert.Equal(RequestFlags.None, flags);
    }

    [Fact]
    public void FlagsInsideATxnAreNotFlags()
    {
        // A nested range keeps its own serializable field; leaderonly/nowaitquorum are unknown there.
        var txn = ApiJsonReader.ReadTxnRequest(
            Utf8("{\"success\":[{\"request_range\":{\"key\":\"eA==\",\"serializable\":true,\"leaderonly\":\"x\",\"nowaitquorum\":5}},"
                + "{\"request_put\":{\"key\":\"eA==\",\"serializable\":\"x\"}},{\"request_txn\":{\"serializable\":true,\"leaderonly\":true}}]}"),
            out var flags);
        Assert.Equal(RequestFlags.None, flags);
        Assert.True(txn.Success[0].RequestRange!.Serializable);
        Assert.True(txn.Success[2].RequestTxn!.Serializable);
        Assert.False(txn.Serializable);

        Assert.Equal("invalid value for field \"success[0].request_range.serializable\": expected boolean",
            TxnError("{\"success\":[{\"request_range\":{\"serializable\":1}}]}"));
    }
}
