using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen.Checkers.Tests;

/// <summary>The list-append checker accepts strict serializable histories and names each anomaly of hand-made bad ones.</summary>
public sealed class ListAppendCheckerTests
{
    private const long Never = long.MaxValue;

    private static MicroOp R(string key, params long[] values) => new(MicroOpKind.Read, key, 0, values);

    private static MicroOp A(string key, long element) => new(MicroOpKind.Append, key, element, null);

    private static TxnOp T(int p, long invokeMs, long completeMs, params MicroOp[] ops) => T(p, invokeMs, completeMs, Outcome.Ok, ops);

    private static TxnOp T(int p, long invokeMs, long completeMs, Outcome outcome, params MicroOp[] ops)
    {
        if (outcome != Outcome.Ok)
        {
            // Only Ok txns carry read results.
            ops = Array.ConvertAll(ops, op => op.Kind == MicroOpKind.Read ? op with { ReadResult = null } : op);
        }

        return new TxnOp(p, ops, invokeMs * 1_000_000, completeMs == Never ? Never : completeMs * 1_000_000, outcome);
    }

    private static void AssertValid(params TxnOp[] history)
    {
        CheckResult result = ListAppendChecker.Check(history);
        Assert.True(result.Valid, result.Explanation);
        Assert.Equal(history.Length, result.OperationsChecked);
    }

    private static CheckResult AssertInvalid(string anomaly, params TxnOp[] history)
    {
        CheckResult result = ListAppendChecker.Check(history);
        Assert.False(result.Valid, "expected " + anomaly);
        Assert.Contains("\n" + anomaly + " (", result.Explanation, StringComparison.Ordinal);
        return result;
    }

    [Fact]
    public void EmptyHistoryIsValid() => AssertValid();

    [Fact]
    public void SequentialTransactionsAreValid() => AssertValid(
        T(1, 0, 1, R("x"), A("x", 1), R("x", 1)),
        T(2, 2, 3, A("x", 2), A("y", 1)),
        T(1, 4, 5, R("x", 1, 2), R("y", 1), A("y", 2), R("y", 1, 2)),
        T(2, 6, 7, R("x", 1, 2), R("y", 1, 2)));

    [Fact]
    public void ConcurrentTransactionsMayCommitInEitherOrder() => AssertValid(
        // p1's and p2's appends overlap in time; the version order says p2 went first.
        T(1, 0, 10, A("x", 1), A("y", 1)),
        T(2, 0, 10, A("x", 2), A("y", 2)),
        T(3, 5, 6, R("x", 2)),
        T(3, 11, 12, R("x", 2, 1), R("y", 2, 1)));

    [Fact]
    public void UnknownTransactionThatTookEffectIsPlacedByItsReaders() => AssertValid(
        T(1, 0, Never, Outcome.Unknown, A("x", 1), R("y")),
        T(2, 5, 6, R("x", 1)),
        T(2, 7, 8, A("x", 2)),
        T(3, 9, 10, R("x", 1, 2)));

    [Fact]
    public void UnknownTransactionThatNeverTookEffectIsIgnored() => AssertValid(
        T(1, 0, Never, Outcome.Unknown, A("x", 1)),
        T(2, 5, 6, A("x", 2)),
        T(3, 9, 10, R("x", 2)));

    [Fact]
    public void FailedTransactionIsIgnored() => AssertValid(
        T(1, 0, 1, Outcome.Fail, A("x", 1)),
        T(2, 2, 3, A("x", 2)),
        T(3, 4, 5, R("x", 2)));

    [Fact]
    public void AbortedReadIsG1a()
    {
        CheckResult result = AssertInvalid("G1a aborted read",
            T(1, 0, 1, Outcome.Fail, A("x", 1)),
            T(2, 2, 3, R("x", 1)));
        Assert.Contains("failed T0", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void IntermediateReadIsG1b() => AssertInvalid("G1b intermediate read",
        T(1, 0, 10, A("x", 1), A("x", 2)),
        T(2, 1, 2, R("x", 1)),
        T(3, 11, 12, R("x", 1, 2)));

    [Fact]
    public void LostAppendIsReported()
    {
        // p1's append of 1 completed before p2 appended 2, yet the final read has 2 and not 1.
        CheckResult result = AssertInvalid("lost append",
            T(1, 0, 1, A("x", 1)),
            T(2, 2, 3, A("x", 2)),
            T(3, 4, 5, R("x", 2)));
        Assert.Contains("appended 1 to \"x\"", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void AppendMissingFromLaterReadsIsLostEvenWithoutLaterAppends() => AssertInvalid("lost append",
        T(1, 0, 1, A("x", 1)),
        T(2, 2, 3, R("x")));

    [Fact]
    public void LastAppendNotYetReadIsNotLost() => AssertValid(
        T(1, 0, 1, A("x", 1)),
        T(2, 0, 5, R("x")),
        T(3, 2, 3, A("y", 1)));

    [Fact]
    public void WriteCycleIsG0()
    {
        CheckResult result = AssertInvalid("G0 cycle",
            T(1, 0, 10, A("x", 1), A("y", 1)),
            T(2, 0, 10, A("x", 2), A("y", 2)),
            T(3, 11, 12, R("x", 1, 2), R("y", 2, 1)));
        Assert.Contains("-ww (\"x\": 1 then 2)->", result.Explanation, StringComparison.Ordinal);
        Assert.Contains("-ww (\"y\": 2 then 1)->", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void CircularInformationFlowIsG1c() => AssertInvalid("G1c cycle",
        // Each txn read the other's append: each saw the other, so neither went first.
        T(1, 0, 10, A("x", 1), R("y", 1)),
        T(2, 0, 10, A("y", 1), R("x", 1)));

    [Fact]
    public void WriteSkewIsG2()
    {
        // Each txn read the key the other appended to, saw it empty, and appended to the other key.
        CheckResult result = AssertInvalid("G2 cycle",
            T(1, 0, 10, R("x"), A("y", 1)),
            T(2, 0, 10, R("y"), A("x", 1)),
            T(3, 11, 12, R("x", 1), R("y", 1)));
        Assert.Contains("read it empty", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void LostUpdateIsGSingle() => AssertInvalid("G-single cycle",
        // Both read x empty and appended: one of them must have seen the other's append.
        T(1, 0, 10, R("x"), A("x", 1)),
        T(2, 0, 10, R("x"), A("x", 2)),
        T(3, 11, 12, R("x", 1, 2)));

    [Fact]
    public void StaleReadAfterCompletedAppendIsRealTimeViolation()
    {
        // Serializable (the reader could go first) but not strict: the append completed before the read began.
        CheckResult result = AssertInvalid("G-single-realtime cycle",
            T(1, 0, 1, A("x", 1)),
            T(2, 2, 3, R("x")),
            T(3, 4, 5, R("x", 1)));
        Assert.Contains("-rt->", result.Explanation, StringComparison.Ordinal);

        // The same reads, overlapping in time, are fine.
        AssertValid(
            T(1, 0, 3, A("x", 1)),
            T(2, 2, 3, R("x")),
            T(3, 4, 5, R("x", 1)));
    }

    [Fact]
    public void IncompatibleOrdersAreReported() => AssertInvalid("incompatible order",
        T(1, 0, 1, A("x", 1)),
        T(2, 0, 1, A("x", 2)),
        T(3, 2, 3, R("x", 1, 2)),
        T(4, 2, 3, R("x", 2, 1)));

    [Fact]
    public void DuplicatedAndGarbageElementsAreReported()
    {
        AssertInvalid("duplicated element", T(1, 0, 1, A("x", 1)), T(2, 2, 3, R("x", 1, 1)));
        AssertInvalid("garbage read (element never appended)", T(1, 0, 1, A("x", 1)), T(2, 2, 3, R("x", 1, 9)));
    }

    [Fact]
    public void ReadThatMissesOwnAppendIsInternalInconsistency() =>
        AssertInvalid("internal inconsistency", T(1, 0, 1, A("x", 1), R("x")));

    [Fact]
    public void AppendingTheSameElementTwiceIsMalformed() =>
        AssertInvalid("malformed history", T(1, 0, 1, A("x", 1)), T(2, 2, 3, A("x", 1)));

    [Fact]
    public void RandomSerialHistoryIsValidAndAReorderedReadIsNot()
    {
        List<TxnOp> history = SerialHistory(42);
        CheckResult valid = ListAppendChecker.Check(history);
        Assert.True(valid.Valid, valid.Explanation);

        // Corrupt one final read by swapping two adjacent elements: the order becomes incompatible or cyclic.
        TxnOp last = history[^1];
        var values = new List<long>(last.Ops[0].ReadResult!);
        (values[^1], values[^2]) = (values[^2], values[^1]);
        history[^1] = last with { Ops = [last.Ops[0] with { ReadResult = values }] };
        Assert.False(ListAppendChecker.Check(history).Valid);
    }

    [Fact]
    public void ManyStaleReadsAtScaleAreRealTimeCycles()
    {
        // Reads in the second half that return only half of what was long committed: each is serializable on its
        // own (it could have run early) but not strict serializable.
        List<TxnOp> history = SerialHistory(7);
        for (int i = 1_000; i < 2_000; i += 50)
        {
            TxnOp txn = history[i];
            if (txn.Outcome != Outcome.Ok || txn.Ops.Count != 1 || txn.Ops[0].ReadResult is not { Count: >= 4 } read)
            {
                continue;
            }

            history[i] = txn with { Ops = [txn.Ops[0] with { ReadResult = [.. read.Take(read.Count / 2)] }] };
        }

        CheckResult result = ListAppendChecker.Check(history);
        Assert.False(result.Valid);
        Assert.Contains("-realtime cycle (", result.Explanation, StringComparison.Ordinal);
    }

    /// <summary>A serial execution over a few keys with overlapping (but order-respecting) windows, unknown txns included, and final reads.</summary>
    private static List<TxnOp> SerialHistory(int seed)
    {
        var rng = new Random(seed);
        var lists = new Dictionary<string, List<long>>();
        var history = new List<TxnOp>();
        long element = 1;
        long time = 0;
        for (int i = 0; i < 2_000; i++)
        {
            var ops = new List<MicroOp>();
            int steps = rng.Next(1, 5);
            bool unknown = rng.Next(50) == 0;
            bool takesEffect = !unknown || rng.Next(2) == 0;
            var scratch = new Dictionary<string, List<long>>();
            for (int s = 0; s < steps; s++)
            {
                string key = "k" + rng.Next(4);
                if (!scratch.TryGetValue(key, out List<long>? list))
                {
                    list = lists.TryGetValue(key, out List<long>? committed) ? [.. committed] : [];
                    scratch[key] = list;
                }

                if (rng.Next(2) == 0)
                {
                    ops.Add(new MicroOp(MicroOpKind.Read, key, 0, unknown ? null : [.. list]));
                }
                else
                {
                    list.Add(element);
                    ops.Add(new MicroOp(MicroOpKind.Append, key, element++, null));
                }
            }

            if (takesEffect)
            {
                foreach ((string key, List<long> list) in scratch)
                {
                    lists[key] = list;
                }
            }

            // The txn took effect at `time`; its window straddles it, so neighbours overlap.
            long invoke = time - rng.Next(0, 3_000);
            long complete = time + rng.Next(0, 3_000);
            history.Add(new TxnOp(rng.Next(5), ops, invoke, unknown ? Never : complete, unknown ? Outcome.Unknown : Outcome.Ok));
            time += 1_000;
        }

        // Final reads of every key.
        foreach ((string key, List<long> list) in lists)
        {
            history.Add(new TxnOp(9, [new MicroOp(MicroOpKind.Read, key, 0, [.. list])], time + 10_000, time + 11_000, Outcome.Ok));
        }

        return history;
    }
}
