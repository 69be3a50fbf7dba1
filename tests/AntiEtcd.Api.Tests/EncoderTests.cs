using System.Buffers;
using System.Text;
using System.Text.Json;
using AntiEtcd.Api.Json;
using static AntiEtcd.Api.Tests.TestJson;

namespace AntiEtcd.Api.Tests;

/// <summary>SPEC §3.4, §6.1, §7.3: encoding rules beyond what the golden captures show.</summary>
public sealed class EncoderTests
{
    // The identity of the captured etcd member, so that outputs line up with the golden files.
    private const string H = "{\"cluster_id\":\"2037210783374497686\",\"member_id\":\"13195394291058371180\",\"revision\":\"24\",\"raft_term\":\"2\"}";

    private static ResponseHeader Header(long revision = 24) => new()
    {
        ClusterId = 2037210783374497686,
        MemberId = 13195394291058371180,
        Revision = revision,
        RaftTerm = 2,
    };

    private static KeyValue Kv(string key, string value, long create, long mod, long version, long lease = 0) => new()
    {
        Key = Utf8(key),
        Value = Utf8(value),
        CreateRevision = create,
        ModRevision = mod,
        Version = version,
        Lease = lease,
    };

    [Fact]
    public void HeaderIsAlwaysWrittenAndItsZeroFieldsAreNot()
    {
        Assert.Equal("{\"header\":{}}", Encode(new CompactionResponse { Header = new ResponseHeader() }, ApiJsonWriter.Write));
        Assert.Equal("{\"header\":{\"cluster_id\":\"1\",\"member_id\":\"2\",\"revision\":\"1\"}}",
            Encode(new LeaseRevokeResponse { Header = new() { ClusterId = 1, MemberId = 2, Revision = 1 } }, ApiJsonWriter.Write));
    }

    [Fact]
    public void Int64AndUInt64AreDecimalStrings()
    {
        var response = new RangeResponse
        {
            Header = new() { ClusterId = ulong.MaxValue, MemberId = 1, Revision = long.MaxValue, RaftTerm = ulong.MaxValue },
            Kvs = [new KeyValue { Key = Utf8("k"), CreateRevision = long.MinValue, ModRevision = -1, Version = 1, Lease = long.MaxValue }],
            Count = 1,
        };
        Assert.Equal(
            "{\"header\":{\"cluster_id\":\"18446744073709551615\",\"member_id\":\"1\",\"revision\":\"9223372036854775807\",\"raft_term\":\"18446744073709551615\"},"
            + "\"kvs\":[{\"key\":\"aw==\",\"create_revision\":\"-9223372036854775808\",\"mod_revision\":\"-1\",\"version\":\"1\",\"lease\":\"9223372036854775807\"}],"
            + "\"count\":\"1\"}",
            Encode(response, ApiJsonWriter.Write));
    }

    [Fact]
    public void RangeFieldOrderAndDefaults()
    {
        // kv/range-limit.txt shape: kvs, more, count in etcd's order; KeyValue key, create, mod, version, value, lease.
        var response = new RangeResponse
        {
            Header = Header(),
            Kvs = [Kv("foo", "baz", 2, 3, 2), Kv("leased", "", 8, 11, 2, 7668682455519342092)],
            More = true,
            Count = 3,
        };
        Assert.Equal(
            "{\"header\":" + H + ",\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":\"2\",\"mod_revision\":\"3\",\"version\":\"2\",\"value\":\"YmF6\"},"
            + "{\"key\":\"bGVhc2Vk\",\"create_revision\":\"8\",\"mod_revision\":\"11\",\"version\":\"2\",\"lease\":\"7668682455519342092\"}],"
            + "\"more\":true,\"count\":\"3\"}",
            Encode(response, ApiJsonWriter.Write));

        // count_only and an empty result.
        Assert.Equal("{\"header\":" + H + ",\"count\":\"1\"}", Encode(new RangeResponse { Header = Header(), Count = 1 }, ApiJsonWriter.Write));
        Assert.Equal("{\"header\":" + H + "}", Encode(new RangeResponse { Header = Header() }, ApiJsonWriter.Write));
    }

    [Fact]
    public void PresentNestedObjectWithDefaultsIsEmptyObject()
    {
        Assert.Equal("{\"header\":" + H + ",\"prev_kv\":{}}",
            Encode(new PutResponse { Header = Header(), PrevKv = new KeyValue() }, ApiJsonWriter.Write));
        Assert.Equal("{\"header\":" + H + "}", Encode(new PutResponse { Header = Header() }, ApiJsonWriter.Write));
    }

    [Fact]
    public void TxnSubHeadersCarryOnlyTheRevisionAndANestedTxnHeaderIsEmpty()
    {
        var response = new TxnResponse
        {
            Header = Header(23),
            Succeeded = true,
            Responses =
            [
                new ResponseOp
                {
                    ResponseTxn = new TxnResponse
                    {
                        Header = Header(23), // written as {} whatever it holds (SPEC §3.4)
                        Succeeded = true,
                        Responses =
                        [
                            new ResponseOp { ResponsePut = new PutResponse { Header = Header(23) } },
                            new ResponseOp { ResponseDeleteRange = new DeleteRangeResponse { Header = Header(22) } },
                        ],
                    },
                },
                new ResponseOp { ResponseRange = new RangeResponse { Header = Header(23), Kvs = [Kv("t1", "v2", 18, 19, 2)], Count = 1 } },
                new ResponseOp(),
            ],
        };
        Assert.Equal(
            "{\"header\":" + H.Replace("\"24\"", "\"23\"", StringComparison.Ordinal) + ",\"succeeded\":true,\"responses\":["
            + "{\"response_txn\":{\"header\":{},\"succeeded\":true,\"responses\":[{\"response_put\":{\"header\":{\"revision\":\"23\"}}},"
            + "{\"response_delete_range\":{\"header\":{\"revision\":\"22\"}}}]}},"
            + "{\"response_range\":{\"header\":{\"revision\":\"23\"},\"kvs\":[{\"key\":\"dDE=\",\"create_revision\":\"18\",\"mod_revision\":\"19\",\"version\":\"2\",\"value\":\"djI=\"}],\"count\":\"1\"}},"
            + "{}]}",
            Encode(response, ApiJsonWriter.Write));
    }

    [Fact]
    public void FailedTxnLeavesOutSucceededAndEmptyResponses() =>
        Assert.Equal("{\"header\":" + H + "}", Encode(new TxnResponse { Header = Header() }, ApiJsonWriter.Write));

    [Fact]
    public void DeleteRange() => Assert.Equal(
        "{\"header\":" + H + ",\"deleted\":\"1\",\"prev_kvs\":[{\"key\":\"Zm9vMg==\",\"create_revision\":\"5\",\"mod_revision\":\"5\",\"version\":\"1\",\"value\":\"Mg==\"}]}",
        Encode(new DeleteRangeResponse { Header = Header(), Deleted = 1, PrevKvs = [Kv("foo2", "2", 5, 5, 1)] }, ApiJsonWriter.Write));

    [Fact]
    public void LeaseResponses()
    {
        Assert.Equal("{\"header\":" + H + ",\"ID\":\"1000\",\"TTL\":\"30\"}",
            Encode(new LeaseGrantResponse { Header = Header(), Id = 1000, Ttl = 30 }, ApiJsonWriter.Write));
        Assert.Equal("{\"result\":{\"header\":" + H + ",\"ID\":\"1000\"}}",
            Encode(new LeaseKeepAliveResponse { Header = Header(), Id = 1000 }, ApiJsonWriter.WriteKeepAliveResult));
        Assert.Equal("{\"header\":" + H + ",\"ID\":\"424242\",\"TTL\":\"-1\"}",
            Encode(new LeaseTimeToLiveResponse { Header = Header(), Id = 424242, Ttl = -1 }, ApiJsonWriter.Write));
        Assert.Equal("{\"header\":" + H + ",\"ID\":\"7\",\"TTL\":\"28\",\"grantedTTL\":\"60\",\"keys\":[\"bGVhc2Vk\",\"AA==\"]}",
            Encode(new LeaseTimeToLiveResponse { Header = Header(), Id = 7, Ttl = 28, GrantedTtl = 60, Keys = [Utf8("leased"), new byte[] { 0 }] }, ApiJsonWriter.Write));
        Assert.Equal("{\"header\":" + H + ",\"leases\":[{\"ID\":\"1001\"},{\"ID\":\"1004\"}]}",
            Encode(new LeaseLeasesResponse { Header = Header(), Leases = [new LeaseStatus { Id = 1001 }, new LeaseStatus { Id = 1004 }] }, ApiJsonWriter.Write));
        Assert.Equal("{\"header\":" + H + "}", Encode(new LeaseLeasesResponse { Header = Header() }, ApiJsonWriter.Write));
    }

    [Fact]
    public void StatusWithEveryExtensionInSpecOrder()
    {
        var status = new StatusResponse
        {
            Header = Header(),
            Version = "antietcd-dotnet 0.1.0",
            DbSize = 24576,
            Leader = 13195394291058371180,
            RaftIndex = 56,
            RaftTerm = 2,
            RaftAppliedIndex = 55,
            Errors = ["peer n3 is unreachable"],
            DbSizeInUse = 1000,
            NodeId = "n1",
            LeaderNodeId = "n1",
            RaftState = "leader",
            Cluster = new Dictionary<string, string> { ["n1"] = "http://127.0.0.1:2380", ["n2"] = "http://127.0.0.1:2381" },
            Followers = ["n1", "n2"],
            CompactRevision = 4,
            ImportState = "applied",
        };
        Assert.Equal(
            "{\"header\":" + H + ",\"version\":\"antietcd-dotnet 0.1.0\",\"dbSize\":\"24576\",\"leader\":\"13195394291058371180\","
            + "\"raftIndex\":\"56\",\"raftTerm\":\"2\",\"raftAppliedIndex\":\"55\",\"errors\":[\"peer n3 is unreachable\"],\"dbSizeInUse\":\"1000\","
            + "\"nodeId\":\"n1\",\"leaderNodeId\":\"n1\",\"raftState\":\"leader\","
            + "\"cluster\":{\"n1\":\"http://127.0.0.1:2380\",\"n2\":\"http://127.0.0.1:2381\"},\"followers\":[\"n1\",\"n2\"],"
            + "\"compactRevision\":\"4\",\"importState\":\"applied\"}",
            Encode(status, ApiJsonWriter.Write));

        // No leader, one node without --cluster.
        Assert.Equal("{\"header\":" + H + ",\"version\":\"antietcd-dotnet 0.1.0\",\"nodeId\":\"n1\",\"raftState\":\"candidate\"}",
            Encode(new StatusResponse { Header = Header(), Version = "antietcd-dotnet 0.1.0", NodeId = "n1", RaftState = "candidate" }, ApiJsonWriter.Write));
    }

    [Fact]
    public void WatchIdAndEventTypeAreAlwaysWritten()
    {
        var created = new WatchResponse { Header = Header(), WatchId = 0, Created = true };
        Assert.Equal("{\"result\":{\"header\":" + H + ",\"watch_id\":\"0\",\"created\":true}}", Encode(created, ApiJsonWriter.WriteWatchResult));

        var events = new WatchResponse
        {
            Header = Header(),
            Events =
            [
                new Event { Type = EventType.Put, Kv = Kv("w1", "1", 28, 28, 1) },
                new Event { Type = EventType.Delete, Kv = new KeyValue { Key = Utf8("w1"), ModRevision = 30 }, PrevKv = Kv("w1", "1", 28, 28, 1) },
            ],
        };
        Assert.Equal(
            "{\"result\":{\"header\":" + H + ",\"watch_id\":\"0\",\"events\":[{\"type\":\"PUT\",\"kv\":{\"key\":\"dzE=\",\"create_revision\":\"28\",\"mod_revision\":\"28\",\"version\":\"1\",\"value\":\"MQ==\"}},"
            + "{\"type\":\"DELETE\",\"kv\":{\"key\":\"dzE=\",\"mod_revision\":\"30\"},\"prev_kv\":{\"key\":\"dzE=\",\"create_revision\":\"28\",\"mod_revision\":\"28\",\"version\":\"1\",\"value\":\"MQ==\"}}]}}",
            Encode(events, ApiJsonWriter.WriteWatchResult));
    }

    [Fact]
    public void WatchControlMessages()
    {
        // SPEC §7.3 table.
        Assert.Equal(
            "{\"result\":{\"header\":" + H + ",\"watch_id\":\"-1\",\"created\":true,\"canceled\":true,\"cancel_reason\":\"mvcc: duplicate watch ID provided on the WatchStream\"}}",
            Encode(new WatchResponse { Header = Header(), WatchId = -1, Created = true, Canceled = true, CancelReason = "mvcc: duplicate watch ID provided on the WatchStream" }, ApiJsonWriter.WriteWatchResult));
        Assert.Equal("{\"result\":{\"header\":" + H + ",\"watch_id\":\"-1\"}}",
            Encode(new WatchResponse { Header = Header(), WatchId = -1 }, ApiJsonWriter.WriteWatchResult));
        Assert.Equal(
            "{\"result\":{\"header\":" + H + ",\"watch_id\":\"1\",\"canceled\":true,\"compact_revision\":\"4\",\"cancel_reason\":\"etcdserver: mvcc: required revision has been compacted\"}}",
            Encode(new WatchResponse { Header = Header(), WatchId = 1, Canceled = true, CompactRevision = 4, CancelReason = "etcdserver: mvcc: required revision has been compacted" }, ApiJsonWriter.WriteWatchResult));
        Assert.Equal("{\"result\":{\"header\":" + H + ",\"watch_id\":\"5\",\"fragment\":true,\"events\":[{\"type\":\"PUT\",\"kv\":{}}]}}",
            Encode(new WatchResponse { Header = Header(), WatchId = 5, Fragment = true, Events = [new Event()] }, ApiJsonWriter.WriteWatchResult));
        Assert.Equal("{\"error\":\"bad-json\"}", Encoding.UTF8.GetString(ApiJsonWriter.WatchBadJson));
        Assert.Equal("{\"error\":\"empty-message\"}", Encoding.UTF8.GetString(ApiJsonWriter.WatchEmptyMessage));
    }

    [Fact]
    public void ErrorBodies()
    {
        Assert.Equal("{\"error\":\"body should be valid JSON\",\"message\":\"body should be valid JSON\",\"code\":3}",
            Encode(0, (w, _) => ApiJsonWriter.WriteError(w, ApiJsonReader.InvalidJsonMessage, 3)));

        // errors/range-sort-bad-enum.txt: quotes are escaped as Go does (\", not \u0022).
        Assert.Equal(
            "{\"error\":\"unknown value \\\"SIDEWAYS\\\" for enum etcdserverpb.RangeRequest_SortOrder\",\"message\":\"unknown value \\\"SIDEWAYS\\\" for enum etcdserverpb.RangeRequest_SortOrder\",\"code\":3}",
            Encode(0, (w, _) => ApiJsonWriter.WriteError(w, "unknown value \"SIDEWAYS\" for enum etcdserverpb.RangeRequest_SortOrder", 3)));
    }

    [Theory]
    [InlineData("a\"b\\c", "a\\\"b\\\\c")]
    [InlineData("line\nnext\r\ttab", "line\\nnext\\r\\ttab")]
    [InlineData("\u0000\u0001\u001f\b\f", "\\u0000\\u0001\\u001f\\u0008\\u000c")]
    [InlineData("<a href='x'>&", "\\u003ca href='x'\\u003e\\u0026")]
    [InlineData("+/=", "+/=")]
    [InlineData("héllo €", "héllo €")]
    [InlineData("😀", "😀")]
    [InlineData("\u2028\u2029", "\\u2028\\u2029")]
    [InlineData("\u007f", "\u007f")]
    public void TextIsEscapedAsGoDoes(string text, string escaped) =>
        Assert.Equal("{\"error\":\"" + escaped + "\",\"message\":\"" + escaped + "\",\"code\":14}",
            Encode(text, (w, t) => ApiJsonWriter.WriteError(w, t, 14)));

    [Fact]
    public void LoneSurrogateBecomesReplacementCharacter()
    {
        // Not an [InlineData]: attribute strings are stored as UTF-8 and cannot hold a lone surrogate.
        string text = "a" + (char)0xD800 + "x" + (char)0xDC00;
        Assert.Equal("{\"error\":\"a\ufffdx\ufffd\",\"message\":\"a\ufffdx\ufffd\",\"code\":14}",
            Encode(text, (w, t) => ApiJsonWriter.WriteError(w, t, 14)));
    }

    [Fact]
    public void LongTextUsesAPooledBuffer()
    {
        string text = new string('"', 5000);
        string escaped = string.Concat(Enumerable.Repeat("\\\"", 5000));
        Assert.Equal("{\"error\":\"" + escaped + "\",\"message\":\"" + escaped + "\",\"code\":3}",
            Encode(text, (w, t) => ApiJsonWriter.WriteError(w, t, 3)));
    }

    [Fact]
    public void OutputDoesNotDependOnTheWritersEncoder()
    {
        // A default Utf8JsonWriter would escape '+' and '"'; the encoder must not let it.
        var response = new PutResponse { Header = Header(), PrevKv = new KeyValue { Key = new byte[] { 0xFB, 0xFF, 0xBF }, Value = Utf8("<&>") } };
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ApiJsonWriter.Write(writer, response);
        }

        Assert.Equal(Encode(response, ApiJsonWriter.Write), Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Contains("\"key\":\"+/+/\"", Encoding.UTF8.GetString(buffer.WrittenSpan), StringComparison.Ordinal);

        buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ApiJsonWriter.WriteError(writer, "a \"b\" +", 3);
        }

        Assert.Equal("{\"error\":\"a \\\"b\\\" +\",\"message\":\"a \\\"b\\\" +\",\"code\":3}", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void EveryByteValueRoundTripsAsKeyAndValue()
    {
        byte[] all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var response = new PutResponse { Header = Header(), PrevKv = new KeyValue { Key = all, Value = all.Reverse().ToArray(), Version = 1 } };
        using var document = JsonDocument.Parse(ApiJsonWriter.ToUtf8Bytes(response, ApiJsonWriter.Write));
        var prev = document.RootElement.GetProperty("prev_kv");
        Assert.Equal(Convert.ToBase64String(all), prev.GetProperty("key").GetString());

        // Back through the request decoder, as a client would send the same bytes.
        string body = "{\"key\":\"" + prev.GetProperty("key").GetString() + "\",\"value\":\"" + prev.GetProperty("value").GetString() + "\"}";
        var put = Put(body);
        Assert.Equal(all, put.Key.ToArray());
        Assert.Equal(all.Reverse().ToArray(), put.Value.ToArray());

        for (int b = 0; b < 256; b++)
        {
            var kv = new RangeResponse { Header = Header(), Kvs = [new KeyValue { Key = new[] { (byte)b, (byte)b }, Value = new[] { (byte)b } }] };
            using var single = JsonDocument.Parse(ApiJsonWriter.ToUtf8Bytes(kv, ApiJsonWriter.Write));
            var item = single.RootElement.GetProperty("kvs")[0];
            var decoded = Range("{\"key\":\"" + item.GetProperty("key").GetString() + "\",\"range_end\":\"" + item.GetProperty("value").GetString() + "\"}");
            Assert.Equal(new[] { (byte)b, (byte)b }, decoded.Key.ToArray());
            Assert.Equal(new[] { (byte)b }, decoded.RangeEnd.ToArray());
        }
    }

    [Fact]
    public void ToUtf8BytesHasNoTrailingNewLine()
    {
        byte[] bytes = ApiJsonWriter.ToUtf8Bytes(new CompactionResponse { Header = Header() }, ApiJsonWriter.Write);
        Assert.Equal((byte)'}', bytes[^1]);
    }
}
