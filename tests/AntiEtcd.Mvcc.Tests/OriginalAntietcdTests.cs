using AntiEtcd.Api;
using static AntiEtcd.Mvcc.Tests.Kv;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>
/// SPEC §14.1 items 1-8: every place where the original antietcd 1.3.1 was wrong, each shown to be
/// right here. The test names say what the original did not do.
/// </summary>
public sealed class OriginalAntietcdTests
{
    // Item 1.
    [Fact]
    public void Original_BinaryKeysAndValues_RoundTripExactly()
    {
        var store = new MvccStore();
        byte[] key = [0xFF, 0xEF, 0x00, 0xC3];
        byte[] value = [0x00, 0x01, 0x02, 0x80, 0xFE];
        store.Put(new PutRequest { Key = key, Value = value });
        var kv = Assert.Single(store.All().Kvs);
        Assert.Equal(key, kv.Key.ToArray());
        Assert.Equal(value, kv.Value.ToArray());
    }

    // Item 2.
    [Fact]
    public void Original_KeysAreNotNormalized()
    {
        var store = new MvccStore();
        store.Put("/a//b/", "1");
        store.Put("/a/b", "2");
        store.Put("/a/b/", "3");
        Assert.Equal(3, store.KeyCount);
        Assert.Equal("1", S(store.Get("/a//b/").Kvs[0].Value));
        Assert.Equal("2", S(store.Get("/a/b").Kvs[0].Value));
        Assert.Equal("3", S(store.Get("/a/b/").Kvs[0].Value));
    }

    // Item 3.
    [Fact]
    public void Original_NonDirectoryRanges_Work()
    {
        var store = new MvccStore();
        foreach (var k in new[] { "apple", "banana", "cherry", "date" })
        {
            store.Put(k, "x");
        }

        Assert.Equal("banana,cherry", store.Get("b", "d").Keys());
        Assert.Equal("cherry,date", store.Get("c", "\0").Keys());
    }

    // Item 3.
    [Fact]
    public void Original_DirectoryRange_NoLongerIncludesTheDirectoryKey()
    {
        var store = new MvccStore();
        store.Put("/a", "dir");
        store.Put("/a/x", "1");
        store.Put("/a/y", "2");
        store.Put("/a0", "after");
        Assert.Equal("/a/x,/a/y", store.Get("/a/", "/a0").Keys());
    }

    // Item 3.
    [Fact]
    public void Original_EmptyKey_IsAnErrorNotEverything()
    {
        var store = new MvccStore();
        store.Put("a", "1");
        Assert.Equal(MvccStatus.KeyNotProvided, store.Range(new RangeRequest { RangeEnd = Zero }).Status);
        Assert.Equal(MvccStatus.KeyNotProvided, store.DeleteRange(new DeleteRangeRequest { RangeEnd = Zero }).Status);
        Assert.Equal(1, store.KeyCount);
    }

    // Item 4.
    [Fact]
    public void Original_ResultsAreInByteOrder_NotIntegerNamesFirstThenInsertionOrder()
    {
        var store = new MvccStore();
        foreach (var k in new[] { "/k/b", "/k/10", "/k/a", "/k/9", "/k/2" })
        {
            store.Put(k, "x");
        }

        Assert.Equal("/k/10,/k/2,/k/9,/k/a,/k/b", store.Get("/k/", "/k0").Keys());
    }

    // Item 4.
    [Fact]
    public void Original_LimitOneReturnsExactlyOne()
    {
        var store = new MvccStore();
        store.Put("a", "1");
        store.Put("b", "1");
        store.Put("c", "1");
        var r = store.Range(new RangeRequest { Key = B("a"), RangeEnd = B("z"), Limit = 1 }).Response!;
        Assert.Single(r.Kvs);
        Assert.True(r.More);
        Assert.Equal(3, r.Count);
    }

    // Item 4.
    [Fact]
    public void Original_RangeOptionsWork_AndCreateRevisionAndVersionAreReturned()
    {
        var store = new MvccStore();
        store.Put("a", "1");
        store.Put("b", "1");
        store.Put("a", "2");
        var atRev = store.Range(new RangeRequest { Key = B("a"), RangeEnd = B("z"), Revision = 2 }).Response!;
        Assert.Equal("a=1@2/2/1", atRev.Kvs.Dump());
        var sorted = store.Range(new RangeRequest { Key = B("a"), RangeEnd = B("z"), SortOrder = SortOrder.Descend, SortTarget = SortTarget.Mod }).Response!;
        Assert.Equal("a=2@2/4/2 b=1@3/3/1", sorted.Kvs.Dump());
        var countOnly = store.Range(new RangeRequest { Key = B("a"), RangeEnd = B("z"), CountOnly = true }).Response!;
        Assert.Equal(2, countOnly.Count);
        Assert.Empty(countOnly.Kvs);
        var filtered = store.Range(new RangeRequest { Key = B("a"), RangeEnd = B("z"), MinModRevision = 4 }).Response!;
        Assert.Equal("a", filtered.Keys());
    }

    // Item 5.
    [Fact]
    public void Original_PutOfIdenticalValue_TakesNewRevisionAndFiresEvent()
    {
        var store = new MvccStore();
        store.Put("k", "same");
        store.Put("k", "same");
        Assert.Equal(3, store.Revision);
        Assert.Equal("Put:k=same@2/3/2<k=same@2/2/1", store.LastEvents.Dump());
        Assert.Equal("k=same@2/3/2", store.Get("k").Kvs.Dump());
    }

    // Item 6.
    [Fact]
    public void Original_EmptyStoreStartsAtRevisionOne_FirstWriteIsTwo()
    {
        var store = new MvccStore();
        Assert.Equal(1, store.Revision);
        Assert.Equal(1, store.Get("x").Header.Revision);
        Assert.Equal(2, store.Put("x", "y").Header.Revision);
    }

    // Item 7.
    [Theory]
    [InlineData(CompareResult.Greater, 1, true)]
    [InlineData(CompareResult.NotEqual, 1, true)]
    [InlineData(CompareResult.Equal, 2, true)]
    [InlineData(CompareResult.Less, 3, true)]
    public void Original_Txn_AllCompareResultsAreAccepted(CompareResult result, long version, bool expected)
    {
        var store = new MvccStore();
        store.Put("k", "1");
        store.Put("k", "2");
        Assert.Equal(expected, store.TxnOk(new TxnRequest { Compare = [Cmp("k", CompareTarget.Version, result, version)] }).Succeeded);
    }

    // Item 7.
    [Fact]
    public void Original_Txn_CompareValueIsBytes()
    {
        var store = new MvccStore();
        store.Put(new PutRequest { Key = B("k"), Value = new byte[] { 0x00, 0xFF } });
        var compare = new Compare { Key = B("k"), Target = CompareTarget.Value, Result = CompareResult.Equal, Value = new byte[] { 0x00, 0xFF } };
        Assert.True(store.TxnOk(new TxnRequest { Compare = [compare] }).Succeeded);
    }

    // Item 7.
    [Fact]
    public void Original_Txn_CompareRangeEndIsHonoured()
    {
        var store = new MvccStore();
        store.Put("t1", "1");
        store.Put("t2", "1");
        store.Put("t2", "2");
        Assert.False(store.TxnOk(new TxnRequest { Compare = [Cmp("t", CompareTarget.Version, CompareResult.Equal, 1, rangeEnd: "u")] }).Succeeded);
        Assert.True(store.TxnOk(new TxnRequest { Compare = [Cmp("t", CompareTarget.Version, CompareResult.Equal, 1, rangeEnd: "t2")] }).Succeeded);
    }

    // Item 7.
    [Fact]
    public void Original_Txn_ModEqualZeroIsTrueForDeletedKey()
    {
        var store = new MvccStore();
        store.Put("k", "1");
        store.Delete("k");
        Assert.True(store.TxnOk(new TxnRequest { Compare = [Cmp("k", CompareTarget.Mod, CompareResult.Equal, 0)] }).Succeeded);
    }

    // Item 7.
    [Fact]
    public void Original_Txn_TwoWritesToOneKeyAreRefused()
    {
        var store = new MvccStore();
        Assert.Equal(MvccStatus.DuplicateKey, store.Txn(new TxnRequest { Success = [OpPut("dup", "1"), OpPut("dup", "2")] }).Status);
        Assert.Equal(MvccStatus.DuplicateKey, store.Txn(new TxnRequest { Success = [OpPut("dup", "1"), OpDelete("dup")] }).Status);
        Assert.Equal(1, store.Revision);
    }

    // Item 7.
    [Fact]
    public void Original_Txn_IsAllOrNothing()
    {
        var store = new MvccStore();
        store.Put("keep", "1");
        var result = store.Txn(new TxnRequest
        {
            Success = [OpPut("a", "1"), OpDelete("keep"), new RequestOp { RequestPut = new PutRequest { Key = B("b"), IgnoreValue = true } }],
        });
        Assert.Equal(MvccStatus.KeyNotFound, result.Status);
        Assert.Equal("keep", store.All().Keys());
        Assert.Equal(2, store.Revision);
    }

    // Item 7.
    [Fact]
    public void Original_Txn_128OpsAndNestedTxnsAreSupported()
    {
        var store = new MvccStore();
        var puts = Enumerable.Range(0, 127).Select(i => OpPut($"k{i:D3}", "1")).ToList();
        puts.Add(OpTxn(new TxnRequest { Success = [OpPut("nested", "1")] }));
        var txn = new TxnRequest { Success = puts };
        Assert.Equal(MvccStatus.TooManyOperations, RequestValidator.ValidateTxn(txn, RequestValidator.DefaultMaxTxnOps));
        puts.RemoveAt(0);
        Assert.Equal(MvccStatus.Ok, RequestValidator.ValidateTxn(txn, RequestValidator.DefaultMaxTxnOps));
        var response = store.TxnOk(txn);
        Assert.Equal(2, response.Header.Revision);
        Assert.Equal(127, store.KeyCount);
        Assert.Equal(127, store.LastEvents.Count);
    }

    // Item 7.
    [Fact]
    public void Original_Txn_WriteDependsOnPutsAndDeletesNotCompares()
    {
        var withCompares = new TxnRequest { Compare = [Cmp("k", CompareTarget.Mod, CompareResult.Equal, 5)], Success = [OpGet("k")] };
        Assert.True(RequestValidator.IsReadOnly(withCompares));
        Assert.False(RequestValidator.IsReadOnly(new TxnRequest { Failure = [OpDelete("k")] }));
    }

    // Item 8.
    [Fact]
    public void Original_PrevKvIgnoreValueIgnoreLease_AreSupported()
    {
        var store = new MvccStore();
        store.LeaseGrant(7, 30);
        store.Put("k", "v", lease: 7);
        var ignoreLease = store.Put(new PutRequest { Key = B("k"), Value = B("w"), IgnoreLease = true, PrevKv = true }).Response!;
        Assert.Equal("k=v@2/2/1/L7", Dump(ignoreLease.PrevKv!));
        var ignoreValue = store.Put(new PutRequest { Key = B("k"), IgnoreValue = true, IgnoreLease = true, PrevKv = true }).Response!;
        Assert.Equal("k=w@2/3/2/L7", Dump(ignoreValue.PrevKv!));
        Assert.Equal("k=w@2/4/3/L7", store.Get("k").Kvs.Dump());
        var deleted = store.Delete("k", prevKv: true);
        Assert.Equal("k=w@2/4/3/L7", deleted.PrevKvs.Dump());
    }
}
