using AntiEtcd.Mvcc;

namespace AntiEtcd.Server.Hosting;

/// <summary>
/// The one table that turns expected outcomes into the HTTP status, gRPC code and message of
/// SPEC §3.6 (etcd's <c>api/v3rpc/util.go</c> plays this role there).
/// </summary>
internal static class EtcdErrors
{
    /// <summary>The suffix of unavailability errors after which a retry is safe.</summary>
    public const string NotExecuted = " (request not executed, safe to retry)";

    /// <summary>The suffix of unavailability errors whose write may have been applied.</summary>
    public const string OutcomeUnknown = " (outcome unknown, the request may have been applied)";

    /// <summary>The 404 message that lists every API route.</summary>
    public const string SupportedApis =
        "Supported APIs: /v3/kv/range, /v3/kv/put, /v3/kv/deleterange, /v3/kv/txn, /v3/kv/compaction, " +
        "/v3/lease/grant, /v3/lease/revoke, /v3/kv/lease/revoke, /v3/lease/keepalive, /v3/lease/timetolive, " +
        "/v3/kv/lease/timetolive, /v3/lease/leases, /v3/kv/lease/leases, /v3/maintenance/status";

    /// <summary>Maps a store or validation outcome to its error.</summary>
    /// <param name="status">A failed status (never <see cref="MvccStatus.Ok"/>).</param>
    /// <param name="compactRevision">The store's compact revision, reported with compaction errors.</param>
    public static AntiEtcdRequestException FromStatus(MvccStatus status, long compactRevision) => status switch
    {
        MvccStatus.KeyNotProvided => BadRequest("etcdserver: key is not provided"),
        MvccStatus.KeyNotFound => BadRequest("etcdserver: key not found"),
        MvccStatus.ValueProvided => BadRequest("etcdserver: value is provided"),
        MvccStatus.LeaseProvided => BadRequest("etcdserver: lease is provided"),
        MvccStatus.InvalidSortOption => BadRequest("etcdserver: invalid sort option"),
        MvccStatus.TooManyOperations => BadRequest("etcdserver: too many operations in txn request"),
        MvccStatus.DuplicateKey => BadRequest("etcdserver: duplicate key given in txn request"),
        MvccStatus.LeaseNotFound => new AntiEtcdRequestException(404, 5, "etcdserver: requested lease not found"),
        MvccStatus.Compacted => new AntiEtcdRequestException(400, 11, "etcdserver: mvcc: required revision has been compacted", compactRevision),
        MvccStatus.FutureRevision => new AntiEtcdRequestException(400, 11, "etcdserver: mvcc: required revision is a future revision"),
        MvccStatus.LeaseAlreadyExists => new AntiEtcdRequestException(400, 9, "etcdserver: lease already exists"),
        MvccStatus.LeaseIdNegative => BadRequest("etcdserver: lease ID must not be negative"),
        MvccStatus.LeaseTtlTooLarge => new AntiEtcdRequestException(400, 11, "etcdserver: too large lease TTL"),
        _ => Internal($"unexpected store status {status}"),
    };

    /// <summary>A 400 with gRPC code 3 (InvalidArgument), used for every decoding error.</summary>
    public static AntiEtcdRequestException BadRequest(string message) => new(400, 3, message);

    /// <summary>§3.2 step 5: the body is not one JSON value.</summary>
    public static AntiEtcdRequestException InvalidJson() => BadRequest("body should be valid JSON");

    /// <summary>§3.2 step 4.</summary>
    public static AntiEtcdRequestException TooLarge() => new(413, 3, "etcdserver: request is too large");

    /// <summary>An unknown URL.</summary>
    public static AntiEtcdRequestException NotFound() => new(404, 5, SupportedApis);

    /// <summary><c>ApiAsync</c> with an unknown name.</summary>
    public static AntiEtcdRequestException UnsupportedApi() => new(404, 5, "Unsupported API");

    /// <summary>Another method on an API route.</summary>
    public static AntiEtcdRequestException UsePost() => new(405, 12, "Please use POST method");

    /// <summary>Another method on <c>/health</c>, <c>/metrics</c> or <c>/version</c>.</summary>
    public static AntiEtcdRequestException UseGet() => new(405, 12, "Please use GET method");

    /// <summary>A plain request to the watch paths.</summary>
    public static AntiEtcdRequestException WatchNeedsWebSocket() => new(501, 12, "watch is only available over WebSocket");

    /// <summary>The server is stopping or failed (SPEC §13.3).</summary>
    public static AntiEtcdRequestException Stopping() => new(502, 14, "Server is stopping" + NotExecuted);

    /// <summary>Cross-origin request (SPEC §10.5).</summary>
    public static AntiEtcdRequestException CrossOrigin() => new(403, 7, "cross-origin requests are not allowed");

    /// <summary>DNS-rebinding guard of a loopback-only node (SPEC §10.5).</summary>
    public static AntiEtcdRequestException HostNotAllowed() => new(403, 7, "Host must be an IP address or localhost");

    /// <summary>Refused by a certificate check or the auth filter.</summary>
    public static AntiEtcdRequestException AccessDenied() => new(403, 7, "Access denied");

    /// <summary>U9: a read that did not finish by its outcome deadline.</summary>
    public static AntiEtcdRequestException ReadTimedOut() => new(503, 14, "etcdserver: request timed out" + NotExecuted);

    /// <summary>U6: a write whose outcome is unknown at its deadline.</summary>
    public static AntiEtcdRequestException WriteTimedOut() => new(503, 14, "etcdserver: request timed out" + OutcomeUnknown);

    /// <summary>U1: not ready at the readiness deadline, and no leader is known.</summary>
    public static AntiEtcdRequestException NoLeader() => new(503, 14, "etcdserver: no leader" + NotExecuted);

    /// <summary>U2: <c>leaderonly</c> on a node that is not the leader.</summary>
    public static AntiEtcdRequestException NotLeader() => new(503, 14, "etcdserver: not leader" + NotExecuted);

    /// <summary>U3: not ready at the readiness deadline although a leader is known and connected.</summary>
    public static AntiEtcdRequestException NotReady() => new(503, 14, "etcdserver: not ready" + NotExecuted);

    /// <summary>U4: a follower that knows the leader but has no authenticated connection to it.</summary>
    public static AntiEtcdRequestException LeaderUnreachable() => new(503, 14, "etcdserver: leader unreachable" + NotExecuted);

    /// <summary>U5: refused as "not leader" before it was proposed, and no other leader accepted it in time.</summary>
    public static AntiEtcdRequestException LeaderChanged() => new(503, 14, "etcdserver: leader changed" + NotExecuted);

    /// <summary>U7: a write whose proposing leader lost leadership before its outcome was known.</summary>
    public static AntiEtcdRequestException WriteTimedOutLeaderFailure() => new(503, 14, "etcdserver: request timed out, possibly due to previous leader failure" + OutcomeUnknown);

    /// <summary>U8: a forwarded write whose connection to the leader broke after it was sent.</summary>
    public static AntiEtcdRequestException WriteTimedOutConnectionLost() => new(503, 14, "etcdserver: request timed out, possibly due to connection lost" + OutcomeUnknown);

    /// <summary>500: a bug (SPEC §3.6); never for any input.</summary>
    public static AntiEtcdRequestException Internal(string text) => new(500, 13, "Internal error: " + text);
}
