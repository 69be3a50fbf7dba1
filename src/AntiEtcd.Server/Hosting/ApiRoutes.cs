namespace AntiEtcd.Server.Hosting;

/// <summary>Route and API-name tables (SPEC §3.1, §6.3, §13.2): exact, case-sensitive matches.</summary>
internal static class ApiRoutes
{
    /// <summary>The API kind of an HTTP path, or <see cref="ApiKind.None"/>.</summary>
    public static ApiKind FromPath(string path) => path switch
    {
        "/v3/kv/range" => ApiKind.KvRange,
        "/v3/kv/put" => ApiKind.KvPut,
        "/v3/kv/deleterange" => ApiKind.KvDeleteRange,
        "/v3/kv/txn" => ApiKind.KvTxn,
        "/v3/kv/compaction" => ApiKind.KvCompaction,
        "/v3/lease/grant" => ApiKind.LeaseGrant,
        "/v3/lease/revoke" or "/v3/kv/lease/revoke" => ApiKind.LeaseRevoke,
        "/v3/lease/keepalive" => ApiKind.LeaseKeepAlive,
        "/v3/lease/timetolive" or "/v3/kv/lease/timetolive" => ApiKind.LeaseTimeToLive,
        "/v3/lease/leases" or "/v3/kv/lease/leases" => ApiKind.LeaseLeases,
        "/v3/maintenance/status" => ApiKind.MaintenanceStatus,
        _ => ApiKind.None,
    };

    /// <summary>The API kind of an <c>ApiAsync</c> name, or <see cref="ApiKind.None"/>.</summary>
    public static ApiKind FromName(string name) => name switch
    {
        "kv_range" => ApiKind.KvRange,
        "kv_put" => ApiKind.KvPut,
        "kv_deleterange" => ApiKind.KvDeleteRange,
        "kv_txn" => ApiKind.KvTxn,
        "kv_compaction" => ApiKind.KvCompaction,
        "lease_grant" => ApiKind.LeaseGrant,
        "lease_revoke" or "kv_lease_revoke" => ApiKind.LeaseRevoke,
        "lease_keepalive" => ApiKind.LeaseKeepAlive,
        "lease_timetolive" or "kv_lease_timetolive" => ApiKind.LeaseTimeToLive,
        "lease_leases" or "kv_lease_leases" => ApiKind.LeaseLeases,
        "maintenance_status" => ApiKind.MaintenanceStatus,
        _ => ApiKind.None,
    };

    /// <summary>The canonical name, also the <c>api</c> label of the metrics.</summary>
    public static string Name(ApiKind kind) => kind switch
    {
        ApiKind.KvRange => "kv_range",
        ApiKind.KvPut => "kv_put",
        ApiKind.KvDeleteRange => "kv_deleterange",
        ApiKind.KvTxn => "kv_txn",
        ApiKind.KvCompaction => "kv_compaction",
        ApiKind.LeaseGrant => "lease_grant",
        ApiKind.LeaseRevoke => "lease_revoke",
        ApiKind.LeaseKeepAlive => "lease_keepalive",
        ApiKind.LeaseTimeToLive => "lease_timetolive",
        ApiKind.LeaseLeases => "lease_leases",
        ApiKind.MaintenanceStatus => "maintenance_status",
        _ => "other",
    };
}
