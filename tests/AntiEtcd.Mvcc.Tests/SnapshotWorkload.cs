using System.Text;
using AntiEtcd.Api;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>
/// Random writes for the snapshot tests, mirroring <see cref="ModelTests"/>' generator: puts (with
/// leases and ignore flags), deletes, txns (nested, with compares), compactions, grants and
/// revokes over a small key pool, so histories, tombstones, events and lease attachments all
/// occur. Deterministic for a given <see cref="Random"/>.
/// </summary>
internal static class SnapshotWorkload
{
    private static readonly string[] KeyPool = ["a", "ab", "abc", "b", "b\0", "ba", "c", "\0", "\u00ff", "k1", "k2", "k10"];
    private static readonly string[] ValuePool = ["", "v", "w", "vv", "\0", "\u00ff", "a longer value, more than eight bytes"];

    /// <summary>A store after <paramref name="steps"/> random writes.</summary>
    public static MvccStore Build(int seed, int steps)
    {
        var rng = new Random(seed);
        var store = new MvccStore();
        for (var i = 0; i < steps; i++)
        {
            Step(rng, store);
        }

        return store;
    }

    /// <summary>One random write; returns a description of its outcome for comparing two stores.</summary>
    public static string Step(Random rng, MvccStore store)
    {
        var what = rng.Next(100);
        string outcome;
        if (what < 35)
        {
            outcome = "put " + store.Put(RandomPut(rng)).Status;
        }
        else if (what < 47)
        {
            var result = store.DeleteRange(RandomDelete(rng));
            outcome = $"delete {result.Status} {result.Response?.Deleted}";
        }
        else if (what < 75)
        {
            var result = store.Txn(RandomTxn(rng, store, 0));
            outcome = $"txn {result.Status} {result.Response?.Succeeded} {result.Response?.Header.Revision}";
        }
        else if (what < 83)
        {
            // Mostly small steps, so the retained window stays wide enough to matter.
            var revision = store.CompactRevision + rng.Next(-1, 6);
            outcome = "compact " + store.Compact(revision).Status;
        }
        else if (what < 91)
        {
            var id = rng.Next(1, 6);
            outcome = "grant " + store.LeaseGrant(id, rng.Next(1, 100)).Status;
        }
        else
        {
            outcome = "revoke " + store.LeaseRevoke(rng.Next(0, 6)).Status;
        }

        return $"{outcome} r{store.Revision} [{store.LastEvents.Dump()}]";
    }

    private static ReadOnlyMemory<byte> RandomKey(Random rng) => Encoding.Latin1.GetBytes(KeyPool[rng.Next(KeyPool.Length)]);

    private static ReadOnlyMemory<byte> RandomValue(Random rng) => Encoding.Latin1.GetBytes(ValuePool[rng.Next(ValuePool.Length)]);

    private static ReadOnlyMemory<byte> RandomEnd(Random rng) => rng.Next(4) switch
    {
        0 => default,
        1 => new byte[] { 0 },
        _ => RandomKey(rng),
    };

    private static PutRequest RandomPut(Random rng)
    {
        var r = new PutRequest { Key = RandomKey(rng), Value = RandomValue(rng), PrevKv = rng.Next(2) == 0 };
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
                r.Lease = rng.Next(1, 6);
                break;
        }

        return r;
    }

    private static DeleteRangeRequest RandomDelete(Random rng) =>
        new() { Key = RandomKey(rng), RangeEnd = rng.Next(3) == 0 ? RandomEnd(rng) : default, PrevKv = rng.Next(2) == 0 };

    private static TxnRequest RandomTxn(Random rng, MvccStore store, int depth)
    {
        var compares = new List<Compare>();
        for (var i = rng.Next(3); i > 0; i--)
        {
            var target = (CompareTarget)rng.Next(5);
            var reference = target switch
            {
                CompareTarget.Version => rng.Next(0, 4),
                CompareTarget.Lease => rng.Next(0, 6),
                _ => rng.Next(0, (int)store.Revision + 2),
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
                Value = RandomValue(rng),
            });
        }

        return new TxnRequest { Compare = compares, Success = RandomOps(rng, store, depth), Failure = RandomOps(rng, store, depth) };
    }

    private static List<RequestOp> RandomOps(Random rng, MvccStore store, int depth)
    {
        var ops = new List<RequestOp>();
        for (var i = rng.Next(4); i > 0; i--)
        {
            ops.Add(rng.Next(10) switch
            {
                < 5 => new RequestOp { RequestPut = RandomPut(rng) },
                < 8 => new RequestOp { RequestDeleteRange = RandomDelete(rng) },
                9 when depth < 2 => new RequestOp { RequestTxn = RandomTxn(rng, store, depth + 1) },
                _ => new RequestOp { RequestRange = new RangeRequest { Key = RandomKey(rng), RangeEnd = RandomEnd(rng) } },
            });
        }

        return ops;
    }
}
