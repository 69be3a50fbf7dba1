using AntiEtcd.Api.Json;

namespace AntiEtcd.Api.Tests;

/// <summary>
/// Every request body sent to etcd in the captures, decoded by <see cref="ApiJsonReader"/>:
/// what etcd accepted must decode, and what etcd refused at decoding must fail with the SPEC
/// §3.6 text. Where SPEC §14.2 differs from etcd (trailing data), SPEC wins.
/// </summary>
public sealed class GoldenRequestTests
{
    /// <summary>Captures whose body etcd refused while decoding, with AntiEtcd's message.</summary>
    private static readonly Dictionary<string, string> DecodeErrors = new()
    {
        ["errors/bad-json.txt"] = "body should be valid JSON",
        ["errors/not-json.txt"] = "body should be valid JSON",
        ["errors/json-array-body.txt"] = "body should be JSON object",
        ["errors/key-wrong-type.txt"] = "invalid value for field \"key\": expected string",
        ["errors/lease-wrong-type.txt"] = "invalid value for field \"lease\": expected integer",
        ["errors/bad-base64.txt"] = "illegal base64 data at input byte 3",
        ["errors/put-base64-unpadded.txt"] = "illegal base64 data at input byte 4",
        ["errors/put-base64-urlsafe.txt"] = "illegal base64 data at input byte 0",
        ["errors/range-sort-bad-enum.txt"] = "unknown value \"SIDEWAYS\" for enum etcdserverpb.RangeRequest_SortOrder",
        ["errors/txn-bad-compare-target.txt"] = "unknown value \"NOPE\" for enum etcdserverpb.Compare_CompareTarget",
        ["misc/enum-lowercase.txt"] = "unknown value \"descend\" for enum etcdserverpb.RangeRequest_SortOrder",
        ["misc/bool-as-string.txt"] = "invalid value for field \"count_only\": expected boolean",
        ["misc/int64-as-float-rejected.txt"] = "invalid value for field \"revision\": expected integer",

        // etcd reads the first JSON value and ignores the rest; SPEC §3.2 step 5 refuses it.
        ["misc/trailing-garbage-after-json.txt"] = "body should be valid JSON",
        ["misc/two-json-objects.txt"] = "body should be valid JSON",
    };

    /// <summary>Captures of a served route, except the oversize ones, which hold a placeholder instead of the body.</summary>
    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (string name in GoldenCapture.List())
        {
            var capture = GoldenCapture.Load(name);
            if (Decoder(capture.Path) is not null && capture.Method == "POST" && !capture.RequestText.Contains("<base64 of", StringComparison.Ordinal))
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void DecodesAsSpecified(string name)
    {
        var capture = GoldenCapture.Load(name);
        var decode = Decoder(capture.Path)!;
        if (DecodeErrors.TryGetValue(name, out string? expected))
        {
            Assert.Equal(expected, Assert.Throws<ApiDecodeException>(() => decode(capture.RequestBody)).Message);
            return;
        }

        decode(capture.RequestBody);
    }

    [Fact]
    public void EveryListedDecodeErrorIsACapture()
    {
        var names = GoldenCapture.List();
        foreach (string name in DecodeErrors.Keys)
        {
            Assert.Contains(name, names);
        }
    }

    [Fact]
    public void CapturedRequestsDecodeToTheirValues()
    {
        var range = ApiJsonReader.ReadRangeRequest(GoldenCapture.Load("misc/camelcase-input-range-rangeEnd-countOnly.txt").RequestBody, out _);
        Assert.Equal("fo", TestJson.Text(range.Key));
        Assert.Equal("fop", TestJson.Text(range.RangeEnd));
        Assert.True(range.CountOnly);

        var put = ApiJsonReader.ReadPutRequest(GoldenCapture.Load("kv/put-with-lease.txt").RequestBody, out _);
        Assert.Equal(7668682455519342092, put.Lease);

        var txn = ApiJsonReader.ReadTxnRequest(GoldenCapture.Load("txn/nested-txn.txt").RequestBody, out _);
        Assert.Equal("nested", TestJson.Text(txn.Success[0].RequestTxn!.Success[0].RequestPut!.Key));

        var watch = ApiJsonReader.ReadWatchRequest(GoldenCapture.Load("watch/post-filter-nodelete-int.txt").RequestBody);
        Assert.Equal([FilterType.NoDelete], watch.CreateRequest!.Filters);
    }

    private static Action<byte[]>? Decoder(string path) => path switch
    {
        "/v3/kv/range" or "/v3beta/kv/range" => b => ApiJsonReader.ReadRangeRequest(b, out _),
        "/v3/kv/put" => b => ApiJsonReader.ReadPutRequest(b, out _),
        "/v3/kv/deleterange" => b => ApiJsonReader.ReadDeleteRangeRequest(b, out _),
        "/v3/kv/txn" => b => ApiJsonReader.ReadTxnRequest(b, out _),
        "/v3/kv/compaction" => b => ApiJsonReader.ReadCompactionRequest(b, out _),
        "/v3/lease/grant" => b => ApiJsonReader.ReadLeaseGrantRequest(b, out _),
        "/v3/lease/revoke" or "/v3/kv/lease/revoke" => b => ApiJsonReader.ReadLeaseRevokeRequest(b, out _),
        "/v3/lease/timetolive" or "/v3/kv/lease/timetolive" => b => ApiJsonReader.ReadLeaseTimeToLiveRequest(b, out _),
        "/v3/lease/leases" or "/v3/kv/lease/leases" or "/v3/maintenance/status" => b => ApiJsonReader.ReadEmptyRequest(b, out _),
        _ => null,
    };
}
