namespace AntiEtcd.Server.Hosting;

/// <summary>The API routes of SPEC §3.1 by canonical name (aliases share their main route's kind).</summary>
internal enum ApiKind
{
    /// <summary>Not an API route.</summary>
    None = 0,

    /// <summary><c>kv_range</c>.</summary>
    KvRange,

    /// <summary><c>kv_put</c>.</summary>
    KvPut,

    /// <summary><c>kv_deleterange</c>.</summary>
    KvDeleteRange,

    /// <summary><c>kv_txn</c>.</summary>
    KvTxn,

    /// <summary><c>kv_compaction</c>.</summary>
    KvCompaction,

    /// <summary><c>lease_grant</c>.</summary>
    LeaseGrant,

    /// <summary><c>lease_revoke</c> (also <c>/v3/kv/lease/revoke</c>).</summary>
    LeaseRevoke,

    /// <summary><c>lease_keepalive</c>.</summary>
    LeaseKeepAlive,

    /// <summary><c>lease_timetolive</c> (also <c>/v3/kv/lease/timetolive</c>).</summary>
    LeaseTimeToLive,

    /// <summary><c>lease_leases</c> (also <c>/v3/kv/lease/leases</c>).</summary>
    LeaseLeases,

    /// <summary><c>maintenance_status</c>.</summary>
    MaintenanceStatus,
}
