using System.Text;
using AntiEtcd.Api;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>
/// Randomized differential test: thousands of random requests (fixed seeds) against
/// <see cref="MvccStore"/> and <see cref="NaiveModel"/>, comparing every response, status,
/// counter, event and replayable history, with reads at old revisions and compactions.
/// </summary>
public sealed class ModelTests
{
    private static readonly string[] KeyPool = ["a", "ab", "abc", "b", "b\0", "ba", "c", "\0", "\u00ff", "k1", "k2", "k10"];
    private static readonly string[] ValuePool = ["", "v", "w", "vv", "\0", "\u00ff"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomOperations_MatchTheNaiveModel(int seed)
    {
        var rng = new Random(seed);
        var store = new MvccStore();
        var model = new NaiveModel();
        var outcomes = new Dictionary<string, int>();
        void Count(string what) => outcomes[what] = outcomes.GetValueOrDefault(what) + 1;
        for (var step = 0; step < 3000; step++)
        {
            var what = rng.Next(100);
            string context;
            if (what < 28)
            {
                var r = RandomPut(rng);
                context = "put";
                var expected = model.Put(r, out var e);
                var actual = store.Put(r);
                AssertSame(step, context, expected, Describe(e), actual.Status, Describe(actual.Response));
                Count($"put {actual.Status}");
            }
            else if (what < 36)
            {
                var r = RandomDelete(rng);
                context = "delete";
                var expected = model.DeleteRange(r, out var e);
                var actual = store.DeleteRange(r);
                AssertSame(step, context, expected, Describe(e), actual.Status, Describe(actual.Response));
            }
            else if (what < 56)
            {
                var r = RandomRange(rng, model);
                context = "range";
                var expected = model.Range(r, out var e);
                var actual = store.Range(r);
                AssertSame(step, context, expected, Describe(e), actual.Status, Describe(actual.Response));
                Count(actual.IsOk && r.Revision > 0 && r.Revision < store.Revision && actual.Response!.Count > 0 ? "old read" : $"range {actual.Status}");
                continue; // reads leave LastEvents alone
            }
            else if (what < 80)
            {
                var r = RandomTxn(rng, model, depth: 0);
                context = "txn";
                var expected = model.Txn(r, out var e);
                var actual = store.Txn(r);
                AssertSame(step, context, expected, Describe(e), actual.Status, Describe(actual.Response));
                Count(actual.IsOk && store.LastEvents.Count > 0 ? "txn write" : $"txn {actual.Status}");
            }
            else if (what < 85)
            {
                var revision = model.CompactRevision + rng.Next(-2, 12);
                context = $"compact {revision}";
                var status = store.Compact(revision).Status;
                AssertSame(step, context, model.Compact(revision), "", status, "");
                Count($"compact {status}");
            }
            else if (what < 90)
            {
                var id = rng.Next(1, 5);
                context = $"grant {id}";
                AssertSame(step, context, model.LeaseGrant(id, 10), "", store.LeaseGrant(id, 10).Status, "");
            }
            else if (what < 95)
            {
                var id = rng.Next(0, 5);
                context = $"revoke {id}";
                AssertSame(step, context, model.LeaseRevoke(id), "", store.LeaseRevoke(id).Status, "");
                Count(store.LastEvents.Count > 0 ? "revoke with keys" : "revoke");
            }
            else
            {
                var from = model.CompactRevision + rng.Next(-2, 20);
                var expected = model.TryGetHistory(from, out var e);
                var actual = store.TryGetHistory(from, out var a);
                Assert.Equal(expected, actual);
                Assert.Equal(e.Dump(), a.Dump());
                continue;
            }

            Assert.True(model.LastEvents.Dump() == store.LastEvents.Dump(), $"step {step} ({context}): events\n{model.LastEvents.Dump()}\n{store.LastEvents.Dump()}");
            Assert.Equal(model.Revision, store.Revision);
            Assert.Equal(model.CompactRevision, store.CompactRevision);
            Assert.Equal(model.KeyCount, store.KeyCount);
            Assert.Equal(model.LeaseCount, store.LeaseCount);
            if (step % 50 == 0)
            {
                store.CheckConsistency();
                Assert.Equal(model.LeaseIds(), store.GetLeaseIds());
                foreach (var id in model.LeaseIds())
                {
                    Assert.Equal(model.LeaseKeys(id), store.GetLeaseKeys(id).Select(NaiveModel.K).ToList());
                }
            }
        }

        store.CheckConsistency();
        Assert.True(model.TryGetHistory(model.CompactRevision, out var all));
        Assert.True(store.TryGetHistory(store.CompactRevision, out var allActual));
        Assert.Equal(all.Dump(), allActual.Dump());
        Assert.True(store.Revision > 500, "the random walk should make many changes");

        // The walk must reach the interesting outcomes, or it proves little.
        var summary = string.Join(", ", outcomes.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"));
        foreach (var needed in new[] { "old read", "txn write", "txn Ok", "txn DuplicateKey", "txn LeaseNotFound", "txn FutureRevision", "range Compacted", "range FutureRevision", "compact Ok", "compact Compacted", "compact FutureRevision", "revoke with keys", "put KeyNotFound", "put LeaseNotFound", "put Ok" })
        {
            Assert.True(outcomes.GetValueOrDefault(needed) > 0, $"never reached '{needed}': {summary}");
        }
    }

    private static void AssertSame(int step, string context, MvccStatus expectedStatus, string expected, MvccStatus actualStatus, string actual)
    {
        Assert.True(expectedStatus == actualStatus, $"step {step} ({context}): status {actualStatus}, expected {expectedStatus}");
        Assert.True(expected == actual, $"step {step} ({context}):\nexpected {expected}\nactual   {actual}");
    }

    private static ReadOnlyMemory<byte> RandomKey(Random rng) => Encoding.Latin1.GetBytes(KeyPool[rng.Next(KeyPool.Length)]);

    private static ReadOnlyMemory<byte> RandomEnd(Random rng) => rng.Next(4) switch
    {
        0 => default,
        1 => new byte[] { 0 },
        _ => RandomKey(rng),
    };

    private static PutRequest RandomPut(Random rng)
    {
        var r = new PutRequest { Key = RandomKey(rng), Value = Encoding.Latin1.GetBytes(ValuePool[rng.Next(ValuePool.Length)]), PrevKv = rng.Next(2) == 0 };
        switch (rng.Next(10))
        {
            case 0:
                r.IgnoreValue = true;
                r.Value = default;
                break;
            case 1:
                r.IgnoreLease = true;
                break;
            case < 5:
                r.Lease = rng.Next(1, 5);
                break;
        }

        return r;
    }

    private static DeleteRangeRequest RandomDelete(Random rng) =>
        new() { Key = RandomKey(rng), RangeEnd = rng.Next(3) == 0 ? RandomEnd(rng) : default, PrevKv = rng.Next(2) == 0 };

    private static RangeRequest RandomRange(Random rng, NaiveModel model)
    {
        var r = new RangeRequest { Key = RandomKey(rng), RangeEnd = RandomEnd(rng) };
        if (rng.Next(3) == 0)
        {
            // Mostly inside history, sometimes just past either end of it.
            r.Revision = rng.Next(6) switch
            {
                0 => model.Revision + rng.Next(0, 2),
                1 => Math.Max(0, model.CompactRevision - rng.Next(0, 2)),
                _ => model.CompactRevision + rng.Next(0, (int)(model.Revision - model.CompactRevision) + 1),
            };
        }

        if (rng.Next(3) == 0)
        {
            r.SortOrder = (SortOrder)rng.Next(3);
            r.SortTarget = (SortTarget)rng.Next(5);
        }

        if (rng.Next(3) == 0)
        {
            r.Limit = rng.Next(0, 4);
        }

        r.KeysOnly = rng.Next(5) == 0;
        r.CountOnly = rng.Next(8) == 0;
        if (rng.Next(4) == 0)
        {
            var span = (int)Math.Max(1, model.Revision);
            r.MinModRevision = rng.Next(2) == 0 ? rng.Next(span) : 0;
            r.MaxModRevision = rng.Next(2) == 0 ? rng.Next(span) : 0;
            r.MinCreateRevision = rng.Next(2) == 0 ? rng.Next(span) : 0;
            r.MaxCreateRevision = rng.Next(2) == 0 ? rng.Next(span) : 0;
        }

        return r;
    }

    private static TxnRequest RandomTxn(Random rng, NaiveModel model, int depth)
    {
        var txn = new TxnRequest();
        var compares = new List<Compare>();
        for (var i = rng.Next(3); i > 0; i--)
        {
            var target = (CompareTarget)rng.Next(5);
            var reference = target switch
            {
                CompareTarget.Version => rng.Next(0, 4),
                CompareTarget.Lease => rng.Next(0, 5),
                _ => rng.Next(0, (int)model.Revision + 2),
            };
            compares.Add(new Compare
            {
                Key = RandomKey(rng),
                RangeEnd = rng.Next(4) == 0 ? RandomEnd(rng) : default,
                Target = target,
                Result = (CompareResult)rng.Next(4),
                Version = reference,
                CreateRevision = reference,
                ModRevision = reference,
                Lease = reference,
                Value = Encoding.Latin1.GetBytes(ValuePool[rng.Next(ValuePool.Length)]),
            });
        }

        txn.Compare = compares;
        txn.Success = RandomOps(rng, model, depth);
        txn.Failure = RandomOps(rng, model, depth);
        return txn;
    }

    private static List<RequestOp> RandomOps(Random rng, NaiveModel model, int depth)
    {
        var ops = new List<RequestOp>();
        for (var i = rng.Next(4); i > 0; i--)
        {
            var pick = rng.Next(10);
            ops.Add(pick switch
            {
                < 4 => new RequestOp { RequestPut = RandomPut(rng) },
                < 6 => new RequestOp { RequestDeleteRange = RandomDelete(rng) },
                9 when depth < 2 => new RequestOp { RequestTxn = RandomTxn(rng, model, depth + 1) },
                _ => new RequestOp { RequestRange = RandomRange(rng, model) },
            });
        }

        return ops;
    }

    private static string Describe(RangeResponse? r) =>
        r is null ? "" : $"range[h{r.Header.Revision} n{r.Count} more{r.More} {r.Kvs.Dump()}]";

    private static string Describe(PutResponse? r) =>
        r is null ? "" : $"put[h{r.Header.Revision} prev {(r.PrevKv is null ? "-" : Kv.Dump(r.PrevKv))}]";

    private static string Describe(DeleteRangeResponse? r) =>
        r is null ? "" : $"delete[h{r.Header.Revision} n{r.Deleted} {r.PrevKvs.Dump()}]";

    private static string Describe(TxnResponse? r) =>
        r is null ? "" : $"txn[h{r.Header.Revision} ok{r.Succeeded} " + string.Join(" ", r.Responses.Select(op =>
            op.ResponseRange is not null ? Describe(op.ResponseRange)
            : op.ResponsePut is not null ? Describe(op.ResponsePut)
            : op.ResponseDeleteRange is not null ? Describe(op.ResponseDeleteRange)
            : Describe(op.ResponseTxn))) + "]";
}
