using AntiEtcd.Api.Json;
using static AntiEtcd.Api.Tests.TestJson;

namespace AntiEtcd.Api.Tests;

/// <summary>SPEC §3.3: field names, duplicates, null, and each field kind with its error text.</summary>
public sealed class FieldDecodingTests
{
    [Theory]
    [InlineData("5", 5L)]
    [InlineData("\"5\"", 5L)]
    [InlineData("-5", -5L)]
    [InlineData("\"-5\"", -5L)]
    [InlineData("0", 0L)]
    [InlineData("-0", 0L)]
    [InlineData("\"-0\"", 0L)]
    [InlineData("\"007\"", 7L)]
    [InlineData("\"\\u0031\\u0032\"", 12L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("\"9223372036854775807\"", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("\"-9223372036854775808\"", long.MinValue)]
    [InlineData("\"000000000000000000000000000009223372036854775807\"", long.MaxValue)]
    public void Int64AcceptsIntegerNumbersAndStrings(string json, long expected) =>
        Assert.Equal(expected, Range("{\"revision\":" + json + "}").Revision);

    [Theory]
    [InlineData("1.0")]
    [InlineData("1.5")] // misc/int64-as-float-rejected.txt
    [InlineData("1e3")]
    [InlineData("1E3")]
    [InlineData("-1e-3")]
    [InlineData("\"1.0\"")]
    [InlineData("\"1e3\"")]
    [InlineData("\"\"")]
    [InlineData("\" 5\"")]
    [InlineData("\"5 \"")]
    [InlineData("\"+5\"")]
    [InlineData("\"-\"")]
    [InlineData("\"--5\"")]
    [InlineData("\"0x10\"")]
    [InlineData("\"abc\"")] // errors/lease-wrong-type.txt
    [InlineData("\"99999999999999999999x\"")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("[1]")]
    public void Int64RefusesEverythingElse(string json) =>
        Assert.Equal("invalid value for field \"revision\": expected integer", RangeError("{\"revision\":" + json + "}"));

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("\"9223372036854775808\"")]
    [InlineData("-9223372036854775809")]
    [InlineData("\"-9223372036854775809\"")]
    [InlineData("18446744073709551616")]
    [InlineData("99999999999999999999999999999999999999")]
    [InlineData("\"-99999999999999999999999999999999999999\"")]
    public void Int64OutOfRange(string json) =>
        Assert.Equal("invalid value for field \"lease\": integer out of range", PutError("{\"key\":\"Zm9v\",\"lease\":" + json + "}"));

    [Fact]
    public void BoolAcceptsOnlyLiterals()
    {
        Assert.True(Range("{\"count_only\":true}").CountOnly);
        Assert.False(Range("{\"count_only\":false}").CountOnly);
        foreach (string json in new[] { "\"true\"", "1", "0", "\"\"", "{}", "[]", "\"yes\"" })
        {
            // misc/bool-as-string.txt
            Assert.Equal("invalid value for field \"count_only\": expected boolean", RangeError("{\"count_only\":" + json + "}"));
        }
    }

    [Fact]
    public void BytesRequireAString()
    {
        // errors/key-wrong-type.txt
        Assert.Equal("invalid value for field \"key\": expected string", PutError("{\"key\":123,\"value\":\"YmFy\"}"));
        Assert.Equal("invalid value for field \"value\": expected string", PutError("{\"key\":\"Zm9v\",\"value\":true}"));
        Assert.Equal("invalid value for field \"range_end\": expected string", RangeError("{\"range_end\":[\"AA==\"]}"));
        Assert.Equal("invalid value for field \"key\": expected string", RangeError("{\"key\":{}}"));
    }

    [Fact]
    public void EnumsByExactNameOrNumber()
    {
        var request = Range("{\"sort_order\":\"DESCEND\",\"sort_target\":\"MOD\"}");
        Assert.Equal(SortOrder.Descend, request.SortOrder);
        Assert.Equal(SortTarget.Mod, request.SortTarget);
        request = Range("{\"sort_order\":1,\"sort_target\":4}");
        Assert.Equal(SortOrder.Ascend, request.SortOrder);
        Assert.Equal(SortTarget.Value, request.SortTarget);
        var compare = Txn("{\"compare\":[{\"result\":\"NOT_EQUAL\",\"target\":\"LEASE\"},{\"result\":3,\"target\":0}]}").Compare;
        Assert.Equal(CompareResult.NotEqual, compare[0].Result);
        Assert.Equal(CompareTarget.Lease, compare[0].Target);
        Assert.Equal(CompareResult.NotEqual, compare[1].Result);
        Assert.Equal(CompareTarget.Version, compare[1].Target);
    }

    [Fact]
    public void EnumNameErrors()
    {
        // misc/enum-lowercase.txt, errors/range-sort-bad-enum.txt, errors/txn-bad-compare-target.txt
        Assert.Equal("unknown value \"descend\" for enum etcdserverpb.RangeRequest_SortOrder", RangeError("{\"sort_order\":\"descend\"}"));
        Assert.Equal("unknown value \"SIDEWAYS\" for enum etcdserverpb.RangeRequest_SortOrder", RangeError("{\"sort_order\":\"SIDEWAYS\"}"));
        Assert.Equal("unknown value \"key\" for enum etcdserverpb.RangeRequest_SortTarget", RangeError("{\"sort_target\":\"key\"}"));
        Assert.Equal("unknown value \"NOPE\" for enum etcdserverpb.Compare_CompareTarget", TxnError("{\"compare\":[{\"result\":\"EQUAL\",\"target\":\"NOPE\",\"key\":\"dDE=\"}]}"));
        Assert.Equal("unknown value \"EQ\" for enum etcdserverpb.Compare_CompareResult", TxnError("{\"compare\":[{\"result\":\"EQ\"}]}"));
        Assert.Equal("unknown value \"1\" for enum etcdserverpb.Compare_CompareResult", TxnError("{\"compare\":[{\"result\":\"1\"}]}"));
        Assert.Equal("unknown value \"\" for enum etcdserverpb.Compare_CompareResult", TxnError("{\"compare\":[{\"result\":\"\"}]}"));
    }

    [Fact]
    public void EnumNumberErrors()
    {
        Assert.Equal("unknown value 5 for enum etcdserverpb.Compare_CompareTarget", TxnError("{\"compare\":[{\"target\":5}]}"));
        Assert.Equal("unknown value -1 for enum etcdserverpb.Compare_CompareResult", TxnError("{\"compare\":[{\"result\":-1}]}"));
        Assert.Equal("unknown value 1.5 for enum etcdserverpb.Compare_CompareResult", TxnError("{\"compare\":[{\"result\":1.5}]}"));
        Assert.Equal("unknown value 1e0 for enum etcdserverpb.Compare_CompareResult", TxnError("{\"compare\":[{\"result\":1e0}]}"));
        Assert.Equal("unknown value 2147483648 for enum etcdserverpb.RangeRequest_SortOrder", RangeError("{\"sort_order\":2147483648}"));
    }

    [Fact]
    public void EnumOfTheWrongJsonTypeNamesTheField()
    {
        Assert.Equal("invalid value for field \"sort_order\": expected enum", RangeError("{\"sort_order\":true}"));
        Assert.Equal("invalid value for field \"compare[0].target\": expected enum", TxnError("{\"compare\":[{\"target\":{}}]}"));
    }

    [Theory]
    [InlineData(99)]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void SortOptionsKeepAnyInt32ForTheValidator(int value)
    {
        // SPEC §4.1: the validator refuses them later with "invalid sort option".
        var request = Range($"{{\"sort_order\":{value},\"sort_target\":{value}}}");
        Assert.Equal(value, (int)request.SortOrder);
        Assert.Equal(value, (int)request.SortTarget);
    }

    [Fact]
    public void NullIsAMissingField()
    {
        // kv/put-null-fields.txt
        var put = Put("{\"key\":\"bnVsbA==\",\"value\":null,\"lease\":null,\"prev_kv\":null}");
        Assert.Equal("null", Text(put.Key));
        Assert.True(put.Value.IsEmpty);
        Assert.Equal(0, put.Lease);
        Assert.False(put.PrevKv);
        var txn = Txn("{\"compare\":null,\"success\":null,\"failure\":null}");
        Assert.Empty(txn.Compare);
        Assert.Empty(txn.Success);
    }

    [Fact]
    public void UnknownFieldsAreIgnoredWhateverTheirValue()
    {
        // errors/unknown-field-is-accepted.txt
        var put = Put("{\"key\":\"dW5r\",\"value\":\"YmFy\",\"bogus\":1,\"x\":{\"lease\":\"bad\",\"y\":[true,null]},\"z\":\"?\"}");
        Assert.Equal("unk", Text(put.Key));
        Assert.Equal("bar", Text(put.Value));
    }

    [Fact]
    public void NamesAreCaseSensitive()
    {
        var put = Put("{\"Key\":\"Zm9v\",\"KEY\":1,\"Lease\":\"x\",\"prev_KV\":1,\"PrevKv\":1}");
        Assert.True(put.Key.IsEmpty);
        Assert.False(put.PrevKv);
        var grant = ApiJsonReader.ReadLeaseGrantRequest(Utf8("{\"id\":5,\"Id\":\"x\",\"ttl\":\"x\",\"Ttl\":1,\"TTL\":7}"), out _);
        Assert.Equal(0, grant.Id);
        Assert.Equal(7, grant.Ttl);
    }

    [Fact]
    public void EscapedFieldNamesMatch()
    {
        var put = Put("{\"k\\u0065y\":\"Zm9v\",\"prev\\u005fkv\":true}");
        Assert.Equal("foo", Text(put.Key));
        Assert.True(put.PrevKv);
    }

    [Fact]
    public void LastOccurrenceWinsAndEarlierOnesAreNotValidated()
    {
        Assert.Equal(5, Put("{\"key\":\"Zm9v\",\"lease\":\"not a number\",\"lease\":5}").Lease);
        Assert.Equal(0, Put("{\"key\":\"Zm9v\",\"lease\":5,\"lease\":null}").Lease);
        Assert.Equal("bar", Text(Put("{\"key\":\"Zm9v\",\"value\":\"!!!\",\"value\":\"YmFy\"}").Value));
        Assert.Equal("bar", Text(Put("{\"key\":123,\"key\":\"YmFy\"}").Key));
        Assert.True(Put("{\"key\":\"Zm9v\",\"prev_kv\":\"x\",\"prevKv\":true}").PrevKv);
        Assert.False(Put("{\"key\":\"Zm9v\",\"prevKv\":true,\"prev_kv\":false}").PrevKv);
        Assert.Equal(SortOrder.Ascend, Range("{\"sort_order\":\"BAD\",\"sortOrder\":\"ASCEND\"}").SortOrder);
        Assert.Single(Txn("{\"success\":5,\"success\":[{\"request_put\":{\"key\":\"Zm9v\"}}]}").Success);
    }

    [Fact]
    public void LastOccurrenceIsTheOneValidated()
    {
        Assert.Equal("invalid value for field \"lease\": expected integer", PutError("{\"lease\":5,\"lease\":\"x\"}"));
        Assert.Equal("invalid value for field \"prev_kv\": expected boolean", PutError("{\"prevKv\":true,\"prev_kv\":1}"));
    }

    [Fact]
    public void FirstInvalidFieldInDocumentOrderWins()
    {
        Assert.Equal("invalid value for field \"lease\": expected integer", PutError("{\"lease\":\"x\",\"key\":1}"));
        Assert.Equal("invalid value for field \"key\": expected string", PutError("{\"key\":1,\"lease\":\"x\"}"));
        Assert.Equal("illegal base64 data at input byte 0", PutError("{\"key\":\"!\",\"lease\":\"x\"}"));

        // The effective (last) occurrence's position counts: "lease" is decoded after "key" here.
        Assert.Equal("invalid value for field \"key\": expected string", PutError("{\"lease\":\"x\",\"key\":1,\"lease\":\"y\"}"));
    }

    [Fact]
    public void RangeFieldsAndCamelCaseAliases()
    {
        const string Snake = "{\"key\":\"Zm9v\",\"range_end\":\"Zm9w\",\"limit\":3,\"revision\":\"4\",\"sort_order\":\"DESCEND\",\"sort_target\":\"CREATE\","
            + "\"serializable\":true,\"keys_only\":true,\"count_only\":true,\"min_mod_revision\":5,\"max_mod_revision\":6,"
            + "\"min_create_revision\":7,\"max_create_revision\":8}";
        const string Camel = "{\"key\":\"Zm9v\",\"rangeEnd\":\"Zm9w\",\"limit\":3,\"revision\":\"4\",\"sortOrder\":\"DESCEND\",\"sortTarget\":\"CREATE\","
            + "\"serializable\":true,\"keysOnly\":true,\"countOnly\":true,\"minModRevision\":5,\"maxModRevision\":6,"
            + "\"minCreateRevision\":7,\"maxCreateRevision\":8}";
        foreach (string body in new[] { Snake, Camel })
        {
            var r = ApiJsonReader.ReadRangeRequest(Utf8(body), out var flags);
            Assert.Equal("foo", Text(r.Key));
            Assert.Equal("fop", Text(r.RangeEnd));
            Assert.Equal(3, r.Limit);
            Assert.Equal(4, r.Revision);
            Assert.Equal(SortOrder.Descend, r.SortOrder);
            Assert.Equal(SortTarget.Create, r.SortTarget);
            Assert.True(r.Serializable);
            Assert.True(r.KeysOnly);
            Assert.True(r.CountOnly);
            Assert.Equal((5, 6, 7, 8), (r.MinModRevision, r.MaxModRevision, r.MinCreateRevision, r.MaxCreateRevision));
            Assert.Equal(RequestFlags.Serializable, flags);
        }
    }

    [Fact]
    public void PutAndDeleteFieldsWithAliases()
    {
        var put = Put("{\"key\":\"Zm9v\",\"value\":\"YmFy\",\"lease\":\"7668682455519342092\",\"prevKv\":true,\"ignoreValue\":true,\"ignoreLease\":true}");
        Assert.Equal(("foo", "bar", 7668682455519342092L), (Text(put.Key), Text(put.Value), put.Lease));
        Assert.True(put.PrevKv && put.IgnoreValue && put.IgnoreLease);
        put = Put("{\"ignore_value\":true,\"ignore_lease\":true,\"prev_kv\":true}");
        Assert.True(put.PrevKv && put.IgnoreValue && put.IgnoreLease);

        var delete = ApiJsonReader.ReadDeleteRangeRequest(Utf8("{\"key\":\"Zm9v\",\"rangeEnd\":\"AA==\",\"prevKv\":true}"), out var flags);
        Assert.Equal("foo", Text(delete.Key));
        Assert.Equal([0], delete.RangeEnd.ToArray());
        Assert.True(delete.PrevKv);
        Assert.Equal(RequestFlags.None, flags);
    }

    [Fact]
    public void LeaseAndCompactionRequests()
    {
        // lease/grant-ttl-string.txt, lease/timetolive-keys.txt
        var grant = ApiJsonReader.ReadLeaseGrantRequest(Utf8("{\"TTL\":\"45\",\"ID\":\"1001\"}"), out _);
        Assert.Equal((45L, 1001L), (grant.Ttl, grant.Id));
        Assert.Equal(-5, ApiJsonReader.ReadLeaseGrantRequest(Utf8("{\"TTL\":30,\"ID\":-5}"), out _).Id);
        Assert.Equal(9000000001, ApiJsonReader.ReadLeaseGrantRequest(Utf8("{\"TTL\":9000000001}"), out _).Ttl);
        Assert.Equal(424242, ApiJsonReader.ReadLeaseRevokeRequest(Utf8("{\"ID\":\"424242\"}"), out _).Id);
        Assert.Equal(1000, ApiJsonReader.ReadLeaseKeepAliveRequest(Utf8("{\"ID\":1000}"), out _).Id);
        Assert.Equal(0, ApiJsonReader.ReadLeaseKeepAliveRequest(Utf8(""), out _).Id);
        var ttl = ApiJsonReader.ReadLeaseTimeToLiveRequest(Utf8("{\"ID\":\"7668682455519342092\",\"keys\":true}"), out _);
        Assert.Equal(7668682455519342092, ttl.Id);
        Assert.True(ttl.Keys);
        var compaction = ApiJsonReader.ReadCompactionRequest(Utf8("{\"revision\":4,\"physical\":true}"), out _);
        Assert.Equal(4, compaction.Revision);
        Assert.True(compaction.Physical);

        Assert.Equal("invalid value for field \"ID\": expected integer",
            DecodeError(() => ApiJsonReader.ReadLeaseRevokeRequest(Utf8("{\"ID\":1.5}"), out _)));
        Assert.Equal("invalid value for field \"TTL\": integer out of range",
            DecodeError(() => ApiJsonReader.ReadLeaseGrantRequest(Utf8("{\"TTL\":99999999999999999999}"), out _)));
        Assert.Equal("invalid value for field \"keys\": expected boolean",
            DecodeError(() => ApiJsonReader.ReadLeaseTimeToLiveRequest(Utf8("{\"keys\":\"true\"}"), out _)));
        Assert.Equal("invalid value for field \"physical\": expected boolean",
            DecodeError(() => ApiJsonReader.ReadCompactionRequest(Utf8("{\"physical\":1}"), out _)));
    }
}
