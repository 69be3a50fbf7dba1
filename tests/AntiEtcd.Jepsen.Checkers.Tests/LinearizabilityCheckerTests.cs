using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen.Checkers.Tests;

/// <summary>The register checker accepts linearizable histories (with concurrency and unknown outcomes) and rejects each classic violation.</summary>
public sealed class LinearizabilityCheckerTests
{
    private const long Never = long.MaxValue;

    private static RegisterOp Read(int p, long? value, long invokeMs, long completeMs, string key = "x", Outcome outcome = Outcome.Ok) =>
        new(p, key, RegisterOpKind.Read, value, null, Ms(invokeMs), Ms(completeMs), outcome);

    private static RegisterOp Write(int p, long value, long invokeMs, long completeMs, Outcome outcome = Outcome.Ok, string key = "x") =>
        new(p, key, RegisterOpKind.Write, value, null, Ms(invokeMs), Ms(completeMs), outcome);

    private static RegisterOp Cas(int p, long? expected, long value, long invokeMs, long completeMs, Outcome outcome = Outcome.Ok, string key = "x") =>
        new(p, key, RegisterOpKind.Cas, value, expected, Ms(invokeMs), Ms(completeMs), outcome);

    private static long Ms(long ms) => ms == Never ? Never : ms * 1_000_000;

    private static void AssertValid(IReadOnlyList<RegisterOp> history)
    {
        CheckResult result = LinearizabilityChecker.CheckRegister(history);
        Assert.True(result.Valid, result.Explanation);
    }

    private static CheckResult AssertInvalid(IReadOnlyList<RegisterOp> history)
    {
        CheckResult result = LinearizabilityChecker.CheckRegister(history);
        Assert.False(result.Valid, result.Explanation);
        Assert.Contains("NOT linearizable", result.Explanation, StringComparison.Ordinal);
        return result;
    }

    [Fact]
    public void EmptyHistoryIsLinearizable() => AssertValid([]);

    [Fact]
    public void SequentialReadsWritesAndCasAreLinearizable() => AssertValid(
    [
        Read(1, null, 0, 1),
        Write(1, 1, 2, 3),
        Read(2, 1, 4, 5),
        Cas(1, 1, 2, 6, 7),
        Read(2, 2, 8, 9),
        Cas(2, null, 3, 10, 11, Outcome.Fail),
        Read(1, 2, 12, 13),
    ]);

    [Fact]
    public void ConcurrentWritesMayBeSeenInEitherOrderButConsistently()
    {
        // Two overlapping writes: p3 sees 2 then p4 sees 1, so 2 was linearized before 1.
        AssertValid(
        [
            Write(1, 1, 0, 10),
            Write(2, 2, 0, 10),
            Read(3, 2, 1, 2),
            Read(4, 1, 3, 4),
            Read(3, 1, 11, 12),
        ]);

        // ...but then nobody may see 2 again.
        AssertInvalid(
        [
            Write(1, 1, 0, 10),
            Write(2, 2, 0, 10),
            Read(3, 2, 1, 2),
            Read(4, 1, 3, 4),
            Read(3, 2, 11, 12),
        ]);
    }

    [Fact]
    public void ReadConcurrentWithWriteMaySeeOldOrNewValueButNotFlicker()
    {
        AssertValid([Write(1, 1, 0, 10), Read(2, null, 1, 2), Read(3, 1, 3, 4), Read(2, 1, 5, 6)]);
        AssertInvalid([Write(1, 1, 0, 10), Read(2, null, 1, 2), Read(3, 1, 3, 4), Read(2, null, 5, 6)]);
    }

    [Fact]
    public void UnknownWriteThatTookEffectIsAccepted() =>
        AssertValid([Write(1, 5, 0, Never, Outcome.Unknown), Read(2, null, 1, 2), Read(2, 5, 100, 101), Write(3, 6, 102, 103), Read(2, 6, 104, 105)]);

    [Fact]
    public void UnknownWriteThatNeverTookEffectIsAccepted() =>
        AssertValid([Write(1, 5, 0, Never, Outcome.Unknown), Cas(1, null, 7, 1, Never, Outcome.Unknown), Read(2, null, 100, 101), Read(2, null, 200, 201)]);

    [Fact]
    public void UnknownWriteMayTakeEffectLongAfterItsInvocation() =>
        AssertValid([Write(1, 5, 0, Never, Outcome.Unknown), Write(2, 1, 10, 11), Read(2, 1, 12, 13), Read(3, 5, 1000, 1001)]);

    [Fact]
    public void UnknownWriteCannotTakeEffectBeforeItsInvocation() =>
        AssertInvalid([Read(2, 5, 0, 1), Write(1, 5, 2, Never, Outcome.Unknown)]);

    [Fact]
    public void UnknownWriteCannotBeUndone() =>
        AssertInvalid([Write(1, 5, 0, Never, Outcome.Unknown), Read(2, 5, 100, 101), Read(2, null, 200, 201)]);

    [Fact]
    public void UnknownWriteTakesEffectAtMostOnce() =>
        AssertInvalid([Write(1, 5, 0, Never, Outcome.Unknown), Read(2, 5, 10, 11), Write(3, 6, 12, 13), Read(2, 5, 20, 21)]);

    [Fact]
    public void OkOpStampedAtTheEndOfTimeIsStillRequired() =>
        AssertInvalid([Write(1, 5, 0, Never, Outcome.Unknown), Read(2, 7, 1, Never), Read(3, null, 2, 3)]);

    [Fact]
    public void UnknownReadsCarryNoInformation() =>
        AssertValid([Write(1, 1, 0, 1), Read(2, 99, 2, Never, outcome: Outcome.Unknown), Read(2, 1, 3, 4)]);

    [Fact]
    public void FailedCasDidNotHappen() =>
        AssertValid([Write(1, 1, 0, 1), Cas(2, 1, 2, 2, 3, Outcome.Fail), Read(3, 1, 4, 5)]);

    [Fact]
    public void StaleReadIsRejected()
    {
        CheckResult result = AssertInvalid([Write(1, 1, 0, 1), Write(1, 2, 2, 3), Read(2, 1, 4, 5)]);
        Assert.Contains("key \"x\"", result.Explanation, StringComparison.Ordinal);
        Assert.Contains("Longest linearizable prefix: 2 ops", result.Explanation, StringComparison.Ordinal);
        Assert.Contains("Could not linearize p2 read -> 1 [4.000 ms .. 5.000 ms]", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void LostWriteIsRejected() => AssertInvalid([Write(1, 1, 0, 1), Read(2, null, 2, 3)]);

    [Fact]
    public void ReadOfFailedWriteIsRejected() => AssertInvalid([Write(1, 1, 0, 1, Outcome.Fail), Read(2, 1, 2, 3)]);

    [Fact]
    public void ImpossibleCasIsRejected() => AssertInvalid([Write(1, 1, 0, 1), Cas(2, 2, 3, 2, 3), Read(1, 3, 4, 5)]);

    [Fact]
    public void CasThatSucceededTwiceFromTheSameValueIsRejected() =>
        AssertInvalid([Write(1, 1, 0, 1), Cas(2, 1, 2, 2, 10), Cas(3, 1, 3, 2, 10)]);

    [Fact]
    public void ReadOfValueNeverWrittenIsRejected() => AssertInvalid([Write(1, 1, 0, 1), Read(2, 42, 2, 3)]);

    [Fact]
    public void KeysAreIndependentAndTheFailingKeyIsNamed()
    {
        CheckResult result = AssertInvalid(
        [
            Write(1, 1, 0, 1, key: "a"),
            Write(2, 1, 0, 1, key: "b"),
            Read(3, 1, 2, 3, key: "a"),
            Read(4, null, 2, 3, key: "b"),
        ]);
        Assert.Contains("key \"b\"", result.Explanation, StringComparison.Ordinal);
        Assert.DoesNotContain("key \"a\"", result.Explanation, StringComparison.Ordinal);

        // The same ops on one key would be fine if the writes were to different keys... and value 1 on a is fine.
        AssertValid([Write(1, 1, 0, 1, key: "a"), Read(4, null, 2, 3, key: "b")]);
    }

    [Fact]
    public void BudgetExhaustionIsReportedAsUnknownNotAsPass()
    {
        List<RegisterOp> history = RegisterHistoryGenerator.Generate(seed: 7, keys: 1, opsPerKey: 200, processes: 4, unknownPerKey: 2);
        Assert.True(LinearizabilityChecker.CheckRegister(history).Valid);

        CheckResult result = LinearizabilityChecker.CheckRegister(history, maxStatesPerKey: 10);
        Assert.False(result.Valid);
        Assert.Contains("UNKNOWN (budget exhausted)", result.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RandomLinearizableHistoryIsAcceptedAndOneCorruptedReadIsRejected(int seed)
    {
        // ~2,000 ops per key, 5 processes, a dozen unknown writes per key: the size the harness produces.
        List<RegisterOp> history = RegisterHistoryGenerator.Generate(seed, keys: 2, opsPerKey: 2_000, processes: 5, unknownPerKey: 12);
        CheckResult valid = LinearizabilityChecker.CheckRegister(history);
        Assert.True(valid.Valid, valid.Explanation);

        var rng = new Random(seed);
        int index;
        do
        {
            index = rng.Next(history.Count);
        }
        while (history[index].Kind != RegisterOpKind.Read || history[index].Outcome != Outcome.Ok);

        RegisterOp victim = history[index];
        history[index] = victim with { Value = RegisterHistoryGenerator.NeverWritten };
        CheckResult invalid = LinearizabilityChecker.CheckRegister(history);
        Assert.False(invalid.Valid, "a read of a never-current value was accepted");
        Assert.Contains("key \"" + victim.Key + "\"", invalid.Explanation, StringComparison.Ordinal);
        Assert.Contains("read -> -1", invalid.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void RandomHistoryWithOneReadMovedToAnEarlierCurrentValueIsRejected(int seed)
    {
        // A subtler corruption than a never-written value: a read returns the value that was current two writes ago,
        // long after a later write completed (a stale read).
        List<RegisterOp> history = RegisterHistoryGenerator.Generate(seed, keys: 1, opsPerKey: 500, processes: 3, unknownPerKey: 0);
        history.Sort(static (a, b) => a.InvokeNanos.CompareTo(b.InvokeNanos));
        var okWrites = history.FindAll(static op => op.Kind == RegisterOpKind.Write && op.Outcome == Outcome.Ok);
        RegisterOp old = okWrites[10];
        long after = okWrites[40].CompleteNanos;
        int index = history.FindIndex(op => op.Kind == RegisterOpKind.Read && op.Outcome == Outcome.Ok && op.InvokeNanos > after);
        history[index] = history[index] with { Value = old.Value };
        Assert.False(LinearizabilityChecker.CheckRegister(history).Valid);
    }
}
