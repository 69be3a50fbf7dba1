using System.Text.Json;

namespace AntiEtcd.Api.Json;

/// <summary>
/// JSON field names of the responses, pre-encoded once so writing them costs a copy (the
/// garnet <c>CmdStrings</c> idea). Spelling is the contract (SPEC §3.4): snake_case, except the
/// names etcd writes otherwise (<c>ID</c>, <c>TTL</c>, <c>grantedTTL</c>, the status fields).
/// </summary>
internal static class WireNames
{
    public static readonly JsonEncodedText Header = JsonEncodedText.Encode("header");
    public static readonly JsonEncodedText ClusterId = JsonEncodedText.Encode("cluster_id");
    public static readonly JsonEncodedText MemberId = JsonEncodedText.Encode("member_id");
    public static readonly JsonEncodedText Revision = JsonEncodedText.Encode("revision");
    public static readonly JsonEncodedText RaftTerm = JsonEncodedText.Encode("raft_term");

    public static readonly JsonEncodedText Key = JsonEncodedText.Encode("key");
    public static readonly JsonEncodedText CreateRevision = JsonEncodedText.Encode("create_revision");
    public static readonly JsonEncodedText ModRevision = JsonEncodedText.Encode("mod_revision");
    public static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
    public static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");
    public static readonly JsonEncodedText Lease = JsonEncodedText.Encode("lease");

    public static readonly JsonEncodedText Kvs = JsonEncodedText.Encode("kvs");
    public static readonly JsonEncodedText More = JsonEncodedText.Encode("more");
    public static readonly JsonEncodedText Count = JsonEncodedText.Encode("count");
    public static readonly JsonEncodedText PrevKv = JsonEncodedText.Encode("prev_kv");
    public static readonly JsonEncodedText Deleted = JsonEncodedText.Encode("deleted");
    public static readonly JsonEncodedText PrevKvs = JsonEncodedText.Encode("prev_kvs");
    public static readonly JsonEncodedText Succeeded = JsonEncodedText.Encode("succeeded");
    public static readonly JsonEncodedText Responses = JsonEncodedText.Encode("responses");
    public static readonly JsonEncodedText ResponseRange = JsonEncodedText.Encode("response_range");
    public static readonly JsonEncodedText ResponsePut = JsonEncodedText.Encode("response_put");
    public static readonly JsonEncodedText ResponseDeleteRange = JsonEncodedText.Encode("response_delete_range");
    public static readonly JsonEncodedText ResponseTxn = JsonEncodedText.Encode("response_txn");

    public static readonly JsonEncodedText Id = JsonEncodedText.Encode("ID");
    public static readonly JsonEncodedText Ttl = JsonEncodedText.Encode("TTL");
    public static readonly JsonEncodedText GrantedTtl = JsonEncodedText.Encode("grantedTTL");
    public static readonly JsonEncodedText Keys = JsonEncodedText.Encode("keys");
    public static readonly JsonEncodedText Leases = JsonEncodedText.Encode("leases");
    public static readonly JsonEncodedText Result = JsonEncodedText.Encode("result");

    public static readonly JsonEncodedText StatusVersion = JsonEncodedText.Encode("version");
    public static readonly JsonEncodedText DbSize = JsonEncodedText.Encode("dbSize");
    public static readonly JsonEncodedText Leader = JsonEncodedText.Encode("leader");
    public static readonly JsonEncodedText RaftIndex = JsonEncodedText.Encode("raftIndex");
    public static readonly JsonEncodedText StatusRaftTerm = JsonEncodedText.Encode("raftTerm");
    public static readonly JsonEncodedText RaftAppliedIndex = JsonEncodedText.Encode("raftAppliedIndex");
    public static readonly JsonEncodedText Errors = JsonEncodedText.Encode("errors");
    public static readonly JsonEncodedText DbSizeInUse = JsonEncodedText.Encode("dbSizeInUse");
    public static readonly JsonEncodedText NodeId = JsonEncodedText.Encode("nodeId");
    public static readonly JsonEncodedText LeaderNodeId = JsonEncodedText.Encode("leaderNodeId");
    public static readonly JsonEncodedText RaftState = JsonEncodedText.Encode("raftState");
    public static readonly JsonEncodedText Cluster = JsonEncodedText.Encode("cluster");
    public static readonly JsonEncodedText Followers = JsonEncodedText.Encode("followers");
    public static readonly JsonEncodedText StatusCompactRevision = JsonEncodedText.Encode("compactRevision");
    public static readonly JsonEncodedText ImportState = JsonEncodedText.Encode("importState");

    public static readonly JsonEncodedText WatchId = JsonEncodedText.Encode("watch_id");
    public static readonly JsonEncodedText Created = JsonEncodedText.Encode("created");
    public static readonly JsonEncodedText Canceled = JsonEncodedText.Encode("canceled");
    public static readonly JsonEncodedText CompactRevision = JsonEncodedText.Encode("compact_revision");
    public static readonly JsonEncodedText CancelReason = JsonEncodedText.Encode("cancel_reason");
    public static readonly JsonEncodedText Fragment = JsonEncodedText.Encode("fragment");
    public static readonly JsonEncodedText Events = JsonEncodedText.Encode("events");
    public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    public static readonly JsonEncodedText Kv = JsonEncodedText.Encode("kv");

    public static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
    public static readonly JsonEncodedText Message = JsonEncodedText.Encode("message");
    public static readonly JsonEncodedText Code = JsonEncodedText.Encode("code");
}
