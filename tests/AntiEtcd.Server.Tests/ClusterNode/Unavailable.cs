namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>
/// The 503 messages of SPEC §3.6 as a client sees them, written out once (not taken from the server's own constants,
/// so that a change there fails the tests): U1–U5 and U9 say the request was not executed, U6–U8 that its outcome is
/// unknown.
/// </summary>
public static class Unavailable
{
    public const string NotExecuted = " (request not executed, safe to retry)";
    public const string OutcomeUnknown = " (outcome unknown, the request may have been applied)";

    public const string U1 = "etcdserver: no leader" + NotExecuted;
    public const string U2 = "etcdserver: not leader" + NotExecuted;
    public const string U4 = "etcdserver: leader unreachable" + NotExecuted;
    public const string U6 = "etcdserver: request timed out" + OutcomeUnknown;
    public const string U7 = "etcdserver: request timed out, possibly due to previous leader failure" + OutcomeUnknown;
    public const string U8 = "etcdserver: request timed out, possibly due to connection lost" + OutcomeUnknown;
    public const string U9 = "etcdserver: request timed out" + NotExecuted;
}
