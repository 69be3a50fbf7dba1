using System.Globalization;
using System.Text.Json;

namespace AntiEtcd.Api.Tests;

/// <summary>
/// Test-only decoding of etcd's response JSON into the response DTOs, so that golden bodies can
/// be re-encoded by <c>ApiJsonWriter</c> and compared byte for byte. Deliberately independent of
/// the production code (JsonDocument, no shared helpers).
/// </summary>
internal static class GoldenResponseParser
{
    public static ResponseHeader Header(JsonElement e) => new()
    {
        ClusterId = UInt64(e, "cluster_id"),
        MemberId = UInt64(e, "member_id"),
        Revision = Int64(e, "revision"),
        RaftTerm = UInt64(e, "raft_term"),
    };

    public static KeyValue KeyValue(JsonElement e) => new()
    {
        Key = Bytes(e, "key"),
        CreateRevision = Int64(e, "create_revision"),
        ModRevision = Int64(e, "mod_revision"),
        Version = Int64(e, "version"),
        Value = Bytes(e, "value"),
        Lease = Int64(e, "lease"),
    };

    public static RangeResponse Range(JsonElement e) => new()
    {
        Header = Header(e.GetProperty("header")),
        Kvs = List(e, "kvs", KeyValue),
        More = Bool(e, "more"),
        Count = Int64(e, "count"),
    };

    public static PutResponse Put(JsonElement e) => new()
    {
        Header = Header(e.GetProperty("header")),
        PrevKv = e.TryGetProperty("prev_kv", out var kv) ? KeyValue(kv) : null,
    };

    public static DeleteRangeResponse DeleteRange(JsonElement e) => new()
    {
        Header = Header(e.GetProperty("header")),
        Deleted = Int64(e, "deleted"),
        PrevKvs = List(e, "prev_kvs", KeyValue),
    };

    public static TxnResponse Txn(JsonElement e) => new()
    {
        Header = Header(e.GetProperty("header")),
        Succeeded = Bool(e, "succeeded"),
        Responses = List(e, "responses", ResponseOp),
    };

    public static ResponseOp ResponseOp(JsonElement e) => new()
    {
        ResponseRange = e.TryGetProperty("response_range", out var r) ? Range(r) : null,
        ResponsePut = e.TryGetProperty("response_put", out var p) ? Put(p) : null,
        ResponseDeleteRange = e.TryGetProperty("response_delete_range", out var d) ? DeleteRange(d) : null,
        ResponseTxn = e.TryGetProperty("response_txn", out var t) ? Txn(t) : null,
    };

    public static CompactionResponse Compaction(JsonElement e) => new() { Header = Header(e.GetProperty("header")) };

    public static LeaseGrantResponse LeaseGrant(JsonElement e) => new()
    {
        Header = Header(e.GetProperty("header")),
        Id = Int64(e, "ID"),
        Ttl = Int64(e, "TTL"),
    };

    public static LeaseRevokeResponse LeaseRevoke(JsonElement e) => new() { Header = Header(e.GetProperty("header")) };

    public static LeaseKeepAliveResponse KeepAliveResult(JsonElement e)
    {
        var result = e.GetProperty("result");
        return new LeaseKeepAliveResponse
        {
            Header = Header(result.GetProperty("header")),
            Id = Int64(result, "ID"),
            Ttl = Int64(result, "TTL"),
        };
    }

    public static LeaseTimeToLiveResponse LeaseTimeToLive(JsonElement e) => new()
    {
        Header = Header(e.GetProperty("header")),
        Id = Int64(e, "ID"),
        Ttl = Int64(e, "TTL"),
        GrantedTtl = Int64(e, "grantedTTL"),
        Keys = List(e, "keys", k => (ReadOnlyMemory<byte>)k.GetBytesFromBase64()),
    };

    public static LeaseLeasesResponse LeaseLeases(JsonElement e) => new()
    {
        Header = Header(e.GetProperty("header")),
        Leases = List(e, "leases", l => new LeaseStatus { Id = Int64(l, "ID") }),
    };

    public static StatusResponse Status(JsonElement e) => new()
    {
        Header = Header(e.GetProperty("header")),
        Version = Text(e, "version"),
        DbSize = Int64(e, "dbSize"),
        Leader = UInt64(e, "leader"),
        RaftIndex = UInt64(e, "raftIndex"),
        RaftTerm = UInt64(e, "raftTerm"),
        RaftAppliedIndex = UInt64(e, "raftAppliedIndex"),
        Errors = List(e, "errors", x => x.GetString()!),
        DbSizeInUse = Int64(e, "dbSizeInUse"),
        NodeId = Text(e, "nodeId"),
        LeaderNodeId = Text(e, "leaderNodeId"),
        RaftState = Text(e, "raftState"),
        Cluster = e.TryGetProperty("cluster", out var c)
            ? c.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : null,
        Followers = e.TryGetProperty("followers", out var f) ? f.EnumerateArray().Select(x => x.GetString()!).ToList() : null,
        CompactRevision = Int64(e, "compactRevision"),
        ImportState = Text(e, "importState"),
    };

    public static WatchResponse WatchResult(JsonElement e)
    {
        var result = e.GetProperty("result");
        return new WatchResponse
        {
            Header = Header(result.GetProperty("header")),
            WatchId = Int64(result, "watch_id"),
            Created = Bool(result, "created"),
            Canceled = Bool(result, "canceled"),
            CompactRevision = Int64(result, "compact_revision"),
            CancelReason = Text(result, "cancel_reason"),
            Fragment = Bool(result, "fragment"),
            Events = List(result, "events", ev => new Event
            {
                Type = Text(ev, "type") == "DELETE" ? EventType.Delete : EventType.Put,
                Kv = KeyValue(ev.GetProperty("kv")),
                PrevKv = ev.TryGetProperty("prev_kv", out var prev) ? KeyValue(prev) : null,
            }),
        };
    }

    private static long Int64(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? long.Parse(v.GetString()!, CultureInfo.InvariantCulture) : 0;

    private static ulong UInt64(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? ulong.Parse(v.GetString()!, CultureInfo.InvariantCulture) : 0;

    private static bool Bool(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.GetBoolean();

    private static string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString()! : "";

    private static ReadOnlyMemory<byte> Bytes(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.GetBytesFromBase64() : ReadOnlyMemory<byte>.Empty;

    private static List<T> List<T>(JsonElement e, string name, Func<JsonElement, T> item) =>
        e.TryGetProperty(name, out var array) ? array.EnumerateArray().Select(item).ToList() : [];
}
