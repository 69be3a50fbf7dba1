using System.Text;
using AntiEtcd.Api;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>Shorthands for building requests and reading responses in tests.</summary>
internal static class Kv
{
    public static ReadOnlyMemory<byte> B(string s) => Encoding.UTF8.GetBytes(s);

    public static string S(ReadOnlyMemory<byte> b) => Encoding.UTF8.GetString(b.Span);

    public static readonly ReadOnlyMemory<byte> Zero = new byte[] { 0 };

    public static PutResponse Put(this MvccStore store, string key, string value, long lease = 0, bool prevKv = false)
    {
        var result = store.Put(new PutRequest { Key = B(key), Value = B(value), Lease = lease, PrevKv = prevKv });
        Assert.Equal(MvccStatus.Ok, result.Status);
        return result.Response!;
    }

    public static DeleteRangeResponse Delete(this MvccStore store, string key, string? rangeEnd = null, bool prevKv = false)
    {
        var result = store.DeleteRange(new DeleteRangeRequest { Key = B(key), RangeEnd = rangeEnd is null ? default : B(rangeEnd), PrevKv = prevKv });
        Assert.Equal(MvccStatus.Ok, result.Status);
        return result.Response!;
    }

    public static RangeResponse Get(this MvccStore store, string key, string? rangeEnd = null, long revision = 0)
    {
        var result = store.Range(new RangeRequest { Key = B(key), RangeEnd = rangeEnd is null ? default : B(rangeEnd), Revision = revision });
        Assert.Equal(MvccStatus.Ok, result.Status);
        return result.Response!;
    }

    public static RangeResponse All(this MvccStore store, long revision = 0)
    {
        var result = store.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = revision });
        Assert.Equal(MvccStatus.Ok, result.Status);
        return result.Response!;
    }

    public static string Keys(this RangeResponse r) => string.Join(",", r.Kvs.Select(kv => S(kv.Key)));

    public static string Keys(this IEnumerable<KeyValue> kvs) => string.Join(",", kvs.Select(kv => S(kv.Key)));

    /// <summary>key=value@create/mod/version[/lease] for each kv.</summary>
    public static string Dump(this IEnumerable<KeyValue> kvs) => string.Join(" ", kvs.Select(Dump));

    public static string Dump(KeyValue kv) =>
        $"{S(kv.Key)}={S(kv.Value)}@{kv.CreateRevision}/{kv.ModRevision}/{kv.Version}" + (kv.Lease != 0 ? $"/L{kv.Lease}" : "");

    public static string Dump(this IEnumerable<Event> events) => string.Join(" ", events.Select(e =>
        $"{e.Type}:{Dump(e.Kv)}" + (e.PrevKv is null ? "" : $"<{Dump(e.PrevKv)}")));

    public static RequestOp OpPut(string key, string value, long lease = 0, bool prevKv = false) =>
        new() { RequestPut = new PutRequest { Key = B(key), Value = B(value), Lease = lease, PrevKv = prevKv } };

    public static RequestOp OpGet(string key, string? rangeEnd = null, long revision = 0) =>
        new() { RequestRange = new RangeRequest { Key = B(key), RangeEnd = rangeEnd is null ? default : B(rangeEnd), Revision = revision } };

    public static RequestOp OpDelete(string key, string? rangeEnd = null, bool prevKv = false) =>
        new() { RequestDeleteRange = new DeleteRangeRequest { Key = B(key), RangeEnd = rangeEnd is null ? default : B(rangeEnd), PrevKv = prevKv } };

    public static RequestOp OpTxn(TxnRequest txn) => new() { RequestTxn = txn };

    public static Compare Cmp(string key, CompareTarget target, CompareResult result, long number = 0, string? value = null, string? rangeEnd = null) => new()
    {
        Key = B(key),
        Target = target,
        Result = result,
        Version = number,
        CreateRevision = number,
        ModRevision = number,
        Lease = number,
        Value = value is null ? default : B(value),
        RangeEnd = rangeEnd is null ? default : B(rangeEnd),
    };

    public static TxnResponse TxnOk(this MvccStore store, TxnRequest txn)
    {
        var result = store.Txn(txn);
        Assert.Equal(MvccStatus.Ok, result.Status);
        store.CheckConsistency();
        return result.Response!;
    }
}
