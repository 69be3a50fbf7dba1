namespace AntiEtcd.Jepsen;

/// <summary>The operations of the lease workload.</summary>
public enum LeaseOpKind
{
    /// <summary>Grant a lease; <see cref="LeaseOp.Ttl"/> is the granted TTL.</summary>
    Grant,

    /// <summary>Put <see cref="LeaseOp.Key"/> attached to the lease.</summary>
    Attach,

    /// <summary>One POST keepalive; <see cref="LeaseOp.Ttl"/> is the answer (0: the lease is gone).</summary>
    KeepAlive,

    /// <summary>Revoke the lease.</summary>
    Revoke,

    /// <summary>Time-to-live; <see cref="LeaseOp.Ttl"/> is the answer (-1: the lease is gone).</summary>
    TimeToLive,

    /// <summary>A linearizable read of <see cref="LeaseOp.Key"/>; <see cref="LeaseOp.KeyPresent"/> says whether it exists.</summary>
    ReadKey,
}
