namespace AntiEtcd.Client;

/// <summary>Whether a request may be sent again to another endpoint after an unclear failure (SPEC §12.3).</summary>
public enum RequestKind
{
    /// <summary>
    /// A read (range, read-only txn, keepalive, time-to-live, leases): running it twice is harmless,
    /// so it moves on after a connection error, a timeout, a 502 or any 503.
    /// </summary>
    Read = 0,

    /// <summary>
    /// A write (put, delete, write txn, grant, revoke): it moves on only when the request surely did
    /// not run, because a second run could apply it twice.
    /// </summary>
    Write = 1,
}
