using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen.Tests;

/// <summary>The lease checker accepts correct histories and rejects each violation it is meant to find.</summary>
public sealed class LeaseCheckerTests
{
    private const long S = 1_000_000_000L;
    private const int Final = LeaseWorkload.FinalProcess;

    [Fact]
    public void AcceptsKeepaliveThenExpiryThenGoneKey()
    {
        var result = LeaseChecker.Check(
        [
            Op(0, LeaseOpKind.Grant, 0, 1, ttl: 2),
            Op(0, LeaseOpKind.Attach, 1, 2, key: "k", present: true),
            Op(0, LeaseOpKind.KeepAlive, 2, 3, ttl: 2),
            Op(0, LeaseOpKind.TimeToLive, 5 * S, 5 * S + 1, ttl: -1),
            Op(0, LeaseOpKind.ReadKey, 6 * S, 6 * S + 1, key: "k", present: false),
            Op(Final, LeaseOpKind.TimeToLive, 9 * S, 9 * S + 1, ttl: -1),
            Op(Final, LeaseOpKind.ReadKey, 10 * S, 10 * S + 1, key: "k", present: false),
        ]);
        Assert.True(result.Valid, result.Explanation);
    }

    [Fact]
    public void AcceptsRevokeAndUnknownKeepalives()
    {
        var result = LeaseChecker.Check(
        [
            Op(0, LeaseOpKind.Grant, 0, 1, ttl: 5),
            Op(0, LeaseOpKind.Attach, 1, 2, key: "k", present: true),
            Op(0, LeaseOpKind.KeepAlive, 2, long.MaxValue, outcome: Outcome.Unknown),
            Op(0, LeaseOpKind.Revoke, 3, 4),
            Op(0, LeaseOpKind.ReadKey, 5, 6, key: "k", present: false),
            Op(0, LeaseOpKind.KeepAlive, 7, 8, ttl: 0),
        ]);
        Assert.True(result.Valid, result.Explanation);
    }

    [Fact]
    public void RejectsExpiryBeforeTheTtlOfASuccessfulKeepalive()
    {
        var result = LeaseChecker.Check(
        [
            Op(0, LeaseOpKind.Grant, 0, 1, ttl: 2),
            Op(0, LeaseOpKind.KeepAlive, 1 * S, 1 * S + 5, ttl: 2),
            Op(1, LeaseOpKind.TimeToLive, 2 * S, 2 * S + 5, ttl: -1),
        ]);
        Assert.False(result.Valid);
        Assert.Contains("early expiry", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsKeyStillPresentAfterRevoke()
    {
        var result = LeaseChecker.Check(
        [
            Op(0, LeaseOpKind.Grant, 0, 1, ttl: 5),
            Op(0, LeaseOpKind.Attach, 1, 2, key: "k", present: true),
            Op(0, LeaseOpKind.Revoke, 3, 4),
            Op(1, LeaseOpKind.ReadKey, 5, 6, key: "k", present: true),
        ]);
        Assert.False(result.Valid);
        Assert.Contains("revoked", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsRenewalAfterExpiry()
    {
        var result = LeaseChecker.Check(
        [
            Op(0, LeaseOpKind.Grant, 0, 1, ttl: 2),
            Op(0, LeaseOpKind.KeepAlive, 3 * S, 3 * S + 1, ttl: 0),
            Op(0, LeaseOpKind.KeepAlive, 4 * S, 4 * S + 1, ttl: 2),
        ]);
        Assert.False(result.Valid);
        Assert.Contains("renewed", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsLeaseThatNeverExpiresAfterTheRun()
    {
        var result = LeaseChecker.Check(
        [
            Op(0, LeaseOpKind.Grant, 0, 1, ttl: 2),
            Op(0, LeaseOpKind.Attach, 1, 2, key: "k", present: true),
            Op(Final, LeaseOpKind.TimeToLive, 30 * S, 30 * S + 1, ttl: 2),
            Op(Final, LeaseOpKind.ReadKey, 31 * S, 31 * S + 1, key: "k", present: true),
        ]);
        Assert.False(result.Valid);
        Assert.Contains("never expired", result.Explanation, StringComparison.Ordinal);
        Assert.Contains("still attached", result.Explanation, StringComparison.Ordinal);
    }

    private static LeaseOp Op(int process, LeaseOpKind kind, long invoke, long complete, long ttl = 0, string? key = null, bool present = false, Outcome outcome = Outcome.Ok) =>
        new(process, kind, 7, key, ttl, present, invoke, complete, outcome);
}
