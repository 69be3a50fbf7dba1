using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen.Checkers.Tests;

/// <summary>The watch checker accepts faithful watch histories and names each kind of broken one.</summary>
public sealed class WatchCheckerTests
{
    private static readonly WriteRecord[] Writes =
    [
        new("w/a", "1", 2, Outcome.Ok),
        new("w/b", "1", 3, Outcome.Ok),
        new("w/a", "2", 4, Outcome.Ok),
        new("w/a", null, 5, Outcome.Ok),
        new("w/b", "lost?", 0, Outcome.Unknown),
        new("w/b", "never", 0, Outcome.Fail),
        new("other", "1", 6, Outcome.Ok),
        new("w/c", "1", 7, Outcome.Ok),
    ];

    private static WatchEvent E(string key, string? value, long revision) => new(key, value, revision);

    private static WatchRecord Watch(int client, long start, long end, params WatchEvent[] events) => new(client, "w/", start, events, end, Compacted: false);

    private static WatchEvent[] AllEvents() => [E("w/a", "1", 2), E("w/b", "1", 3), E("w/a", "2", 4), E("w/a", null, 5), E("w/c", "1", 7)];

    private static CheckResult AssertInvalid(string anomaly, params WatchRecord[] watches)
    {
        CheckResult result = WatchChecker.Check(Writes, watches);
        Assert.False(result.Valid, "expected " + anomaly);
        Assert.Contains("\n" + anomaly + " (", result.Explanation, StringComparison.Ordinal);
        return result;
    }

    [Fact]
    public void CompleteOrderedWatchesAreValid()
    {
        CheckResult result = WatchChecker.Check(Writes, [Watch(1, 1, 7, AllEvents()), Watch(2, 4, 7, E("w/a", "2", 4), E("w/a", null, 5), E("w/c", "1", 7))]);
        Assert.True(result.Valid, result.Explanation);
        Assert.Equal(8, result.OperationsChecked);
    }

    [Fact]
    public void UnknownWriteMayOrMayNotAppearButTheWatchersMustAgree()
    {
        WatchEvent[] withUnknown = [E("w/a", "1", 2), E("w/b", "1", 3), E("w/a", "2", 4), E("w/a", null, 5), E("w/b", "lost?", 6), E("w/c", "1", 7)];
        WatchEvent[] withUnknownAt8 = [.. AllEvents(), E("w/b", "lost?", 8)];
        Assert.True(WatchChecker.Check(Writes, [Watch(1, 1, 7, withUnknown), Watch(2, 1, 7, withUnknown)]).Valid);
        Assert.True(WatchChecker.Check(Writes, [Watch(1, 1, 7, AllEvents())]).Valid);

        // Watcher 2 is complete up to 7 but missed the unknown write that watcher 1 saw at revision 6.
        CheckResult result = AssertInvalid("missing event", Watch(1, 1, 7, withUnknown), Watch(2, 1, 7, AllEvents()));
        Assert.Contains("which watcher 1 saw", result.Explanation, StringComparison.Ordinal);

        // ...but watcher 2 claims nothing past 7.
        Assert.True(WatchChecker.Check(Writes, [Watch(1, 1, 8, withUnknownAt8), Watch(2, 1, 7, AllEvents())]).Valid);
    }

    [Fact]
    public void EventsOfOneRevisionMayComeInAnyKeyOrder()
    {
        WriteRecord[] txn = [new("w/x", "1", 2, Outcome.Ok), new("w/y", "1", 2, Outcome.Ok)];
        Assert.True(WatchChecker.Check(txn, [Watch(1, 1, 2, E("w/y", "1", 2), E("w/x", "1", 2))]).Valid);
    }

    [Fact]
    public void DuplicatedEventIsRejected()
    {
        WatchEvent[] events = [.. AllEvents()[..3], E("w/a", "2", 4), .. AllEvents()[3..]];
        AssertInvalid("duplicated event", Watch(1, 1, 7, events));
    }

    [Fact]
    public void MissingEventIsRejected()
    {
        CheckResult result = AssertInvalid("missing event", Watch(1, 1, 7, E("w/a", "1", 2), E("w/a", "2", 4), E("w/a", null, 5), E("w/c", "1", 7)));
        Assert.Contains("\"w/b\" = \"1\" at revision 3", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void CompactedWatchIsCompleteOnlyUpToItsLastEvent()
    {
        var compacted = new WatchRecord(1, "w/", 1, AllEvents()[..2], 7, Compacted: true);
        Assert.True(WatchChecker.Check(Writes, [compacted]).Valid);
        var gap = new WatchRecord(1, "w/", 1, [E("w/a", "1", 2), E("w/a", "2", 4)], 7, Compacted: true);
        AssertInvalid("missing event", gap);
    }

    [Fact]
    public void PhantomEventsAreRejected()
    {
        AssertInvalid("phantom event", Watch(1, 1, 7, [.. AllEvents(), E("w/b", "never", 8)]));
        AssertInvalid("phantom event", Watch(1, 1, 7, [.. AllEvents(), E("w/b", "made up", 8)]));
        AssertInvalid("wrong revision", Watch(1, 1, 7, [.. AllEvents(), E("w/a", "2", 8)]));
        AssertInvalid("wrong value", Watch(1, 1, 7, E("w/a", "1", 2), E("w/b", "2", 3), E("w/a", "2", 4), E("w/a", null, 5), E("w/c", "1", 7)));
    }

    [Fact]
    public void OutOfOrderEventsAreRejected() =>
        AssertInvalid("out-of-order event", Watch(1, 1, 7, E("w/a", "1", 2), E("w/a", "2", 4), E("w/b", "1", 3), E("w/a", null, 5), E("w/c", "1", 7)));

    [Fact]
    public void EventsOutsideTheWatchAreRejected()
    {
        AssertInvalid("event outside the prefix", Watch(1, 1, 7, [.. AllEvents(), E("other", "1", 6)]));
        AssertInvalid("event before the start revision", Watch(1, 3, 7, AllEvents()));
    }

    [Fact]
    public void WatchersMustAgreeOnEachRevision()
    {
        WriteRecord[] writes = [new("w/a", "1", 0, Outcome.Unknown), new("w/a", "2", 0, Outcome.Unknown)];
        CheckResult result = WatchChecker.Check(writes, [Watch(1, 1, 2, E("w/a", "1", 2)), Watch(2, 1, 2, E("w/a", "2", 2))]);
        Assert.False(result.Valid);
        Assert.Contains("\nwatchers disagree (", result.Explanation, StringComparison.Ordinal);
    }
}
