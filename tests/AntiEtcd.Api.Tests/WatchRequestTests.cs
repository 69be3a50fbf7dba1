using AntiEtcd.Api.Json;
using static AntiEtcd.Api.Tests.TestJson;

namespace AntiEtcd.Api.Tests;

/// <summary>SPEC §7.2: client messages of a watch WebSocket.</summary>
public sealed class WatchRequestTests
{
    private static WatchRequestMessage Read(string message) => ApiJsonReader.ReadWatchRequest(Utf8(message));

    [Fact]
    public void CreateRequestWithEveryField()
    {
        var m = Read("{\"create_request\":{\"key\":\"dw==\",\"range_end\":\"eA==\",\"start_revision\":\"28\",\"progress_notify\":true,"
            + "\"filters\":[\"NOPUT\",1],\"prev_kv\":true,\"watch_id\":7,\"fragment\":true}}");
        Assert.Equal(WatchMessageError.None, m.Error);
        var c = m.CreateRequest!;
        Assert.Equal(("w", "x", 28L, 7L), (Text(c.Key), Text(c.RangeEnd), c.StartRevision, c.WatchId));
        Assert.True(c.ProgressNotify && c.PrevKv && c.Fragment);
        Assert.Equal([FilterType.NoPut, FilterType.NoDelete], c.Filters);
        Assert.Null(m.CreateRequestError);
        Assert.Null(m.CancelRequest);
        Assert.False(m.ProgressRequest);
    }

    [Fact]
    public void CamelCaseAliases()
    {
        var m = Read("{\"createRequest\":{\"rangeEnd\":\"AA==\",\"startRevision\":1,\"progressNotify\":true,\"prevKv\":true,\"watchId\":\"3\"},"
            + "\"cancelRequest\":{\"watchId\":4},\"progressRequest\":{}}");
        Assert.Equal((1L, 3L), (m.CreateRequest!.StartRevision, m.CreateRequest.WatchId));
        Assert.True(m.CreateRequest.ProgressNotify && m.CreateRequest.PrevKv);
        Assert.Equal(4, m.CancelRequest!.WatchId);
        Assert.True(m.ProgressRequest);
    }

    [Fact]
    public void EmptyCreateRequestWatchesTheEmptyKey()
    {
        // watch/post-empty-key.txt
        var c = Read("{\"create_request\":{}}").CreateRequest!;
        Assert.True(c.Key.IsEmpty);
        Assert.Empty(c.Filters);
    }

    [Fact]
    public void CancelAndProgress()
    {
        Assert.Equal(0, Read("{\"cancel_request\":{\"watch_id\":0}}").CancelRequest!.WatchId);
        Assert.Equal(99, Read("{\"cancel_request\":{\"watch_id\":\"99\"}}").CancelRequest!.WatchId);
        Assert.Equal(0, Read("{\"cancel_request\":{}}").CancelRequest!.WatchId);
        Assert.True(Read("{\"progress_request\":{}}").ProgressRequest);
        Assert.True(Read("{\"progress_request\":{\"bogus\":[1]}}").ProgressRequest);
    }

    [Theory]
    [InlineData("{\"create_request\":")] // watch/post-bad-json.txt
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{} x")]
    [InlineData("{}{}")]
    [InlineData("[]")]
    [InlineData("[0]")]
    [InlineData("true")]
    [InlineData("1")]
    [InlineData("-0.5")]
    [InlineData("\"x\"")]
    [InlineData("\" \"")]
    public void BadJson(string message) => Assert.Equal(WatchMessageError.BadJson, Read(message).Error);

    [Theory]
    [InlineData("null")]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("0.0")]
    [InlineData("0e5")]
    [InlineData("\"\"")]
    [InlineData(" null ")]
    public void EmptyMessage(string message) => Assert.Equal(WatchMessageError.EmptyMessage, Read(message).Error);

    [Fact]
    public void InvalidUtf8IsBadJson() =>
        Assert.Equal(WatchMessageError.BadJson, ApiJsonReader.ReadWatchRequest([(byte)'"', 0xFE, (byte)'"']).Error);

    [Fact]
    public void SixtyFiveLevelsAreBadJson() =>
        Assert.Equal(WatchMessageError.BadJson, Read("{\"x\":" + new string('[', 64) + new string(']', 64) + "}").Error);

    [Theory]
    [InlineData("{}")] // watch/post-empty-object.txt
    [InlineData("{\"bogus\":1}")]
    [InlineData("{\"create_request\":null,\"cancel_request\":null,\"progress_request\":null}")]
    public void ObjectWithoutRequestsIsIgnored(string message)
    {
        var m = Read(message);
        Assert.Equal(WatchMessageError.None, m.Error);
        Assert.True(m.CreateRequest is null && m.CreateRequestError is null && m.CancelRequest is null && !m.ProgressRequest);
    }

    [Fact]
    public void AllThreeInOneMessage()
    {
        var m = Read("{\"progress_request\":{},\"cancel_request\":{\"watch_id\":2},\"create_request\":{\"key\":\"eA==\"}}");
        Assert.NotNull(m.CreateRequest);
        Assert.Equal(2, m.CancelRequest!.WatchId);
        Assert.True(m.ProgressRequest);
    }

    [Fact]
    public void CreateDecodingErrorsBecomeTheCancelReason()
    {
        Assert.Equal("invalid value for field \"create_request.start_revision\": expected integer",
            Read("{\"create_request\":{\"start_revision\":\"A\"}}").CreateRequestError);
        Assert.Equal("invalid value for field \"create_request.watch_id\": integer out of range",
            Read("{\"create_request\":{\"watch_id\":9223372036854775808}}").CreateRequestError);
        Assert.Equal("illegal base64 data at input byte 0", Read("{\"create_request\":{\"key\":\"-\"}}").CreateRequestError);
        Assert.Equal("invalid value for field \"create_request\": expected object", Read("{\"create_request\":5}").CreateRequestError);
        Assert.Equal("invalid value for field \"create_request.filters\": expected array",
            Read("{\"create_request\":{\"filters\":\"NOPUT\"}}").CreateRequestError);
        Assert.Equal("unknown value \"NOPE\" for enum etcdserverpb.WatchCreateRequest_FilterType",
            Read("{\"create_request\":{\"filters\":[\"NOPE\"]}}").CreateRequestError);
        Assert.Equal("unknown value 2 for enum etcdserverpb.WatchCreateRequest_FilterType",
            Read("{\"create_request\":{\"filters\":[0,2]}}").CreateRequestError);
        Assert.Equal("invalid value for field \"create_request.filters[1]\": expected enum",
            Read("{\"create_request\":{\"filters\":[0,null]}}").CreateRequestError);
        Assert.Null(Read("{\"create_request\":{\"start_revision\":\"A\"}}").CreateRequest);
    }

    [Fact]
    public void RequestsAreDecodedIndependently()
    {
        // A failed create does not hide the cancel after it, and a failed cancel is ignored.
        var m = Read("{\"create_request\":{\"key\":{\"deep\":[1,{\"x\":2}]}},\"cancel_request\":{\"watch_id\":3},\"progress_request\":{}}");
        Assert.Equal("invalid value for field \"create_request.key\": expected string", m.CreateRequestError);
        Assert.Equal(3, m.CancelRequest!.WatchId);
        Assert.True(m.ProgressRequest);

        m = Read("{\"cancel_request\":{\"watch_id\":\"A\"},\"create_request\":{\"key\":\"eA==\"}}");
        Assert.Null(m.CancelRequest);
        Assert.Null(m.CreateRequestError);
        Assert.Equal("x", Text(m.CreateRequest!.Key));

        Assert.False(Read("{\"progress_request\":5}").ProgressRequest);
        Assert.False(Read("{\"progress_request\":[]}").ProgressRequest);
    }

    [Fact]
    public void LastOccurrenceWins()
    {
        var m = Read("{\"create_request\":5,\"createRequest\":{\"watch_id\":1}}");
        Assert.Null(m.CreateRequestError);
        Assert.Equal(1, m.CreateRequest!.WatchId);
        Assert.Null(Read("{\"cancel_request\":{\"watch_id\":1},\"cancel_request\":null}").CancelRequest);
    }
}
