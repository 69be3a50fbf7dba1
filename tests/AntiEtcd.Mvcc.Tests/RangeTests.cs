using AntiEtcd.Api;
using static AntiEtcd.Mvcc.Tests.Kv;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>SPEC §2.3 and §4.1.</summary>
public sealed class RangeTests
{
    /// <summary>The golden kv run's first keys: foo (2, then 3), foo1 (4), foo2 (5), fop (6).</summary>
    private static MvccStore GoldenStore()
    {
        var store = new MvccStore();
        store.Put("foo", "bar");
        store.Put("foo", "baz");
        store.Put("foo1", "1");
        store.Put("foo2", "2");
        store.Put("fop", "fop");
        return store;
    }

    [Fact]
    public void EmptyKey_IsKeyNotProvided()
    {
        Assert.Equal(MvccStatus.KeyNotProvided, new MvccStore().Range(new RangeRequest()).Status);
    }

    [Fact]
    public void SingleKey_AndMissingKey()
    {
        var store = GoldenStore();
        Assert.Equal("foo=baz@2/3/2", store.Get("foo").Kvs.Dump());
        Assert.Equal(1, store.Get("foo").Count);
        var missing = store.Get("nope");
        Assert.Empty(missing.Kvs);
        Assert.Equal(0, missing.Count);
        Assert.False(missing.More);
    }

    [Fact]
    public void Prefix_IsHalfOpen()
    {
        Assert.Equal("foo,foo1,foo2", GoldenStore().Get("foo", "fop").Keys());
    }

    [Fact]
    public void ZeroRangeEnd_MeansEveryKeyFromKey()
    {
        var store = GoldenStore();
        Assert.Equal("foo2,fop", store.Get("foo2", "\0").Keys());
        Assert.Equal("foo,foo1,foo2,fop", store.Get("\0", "\0").Keys());
        Assert.Equal(4, store.All().Count);
    }

    [Fact]
    public void RangeEndNotAfterKey_IsEmptyNotAnError()
    {
        var store = GoldenStore();
        var before = store.Get("fop", "foo");
        Assert.Empty(before.Kvs);
        Assert.Equal(0, before.Count);
        Assert.Empty(store.Get("foo", "foo").Kvs);
        Assert.Equal(store.Revision, before.Header.Revision);
    }

    [Fact]
    public void Count_IsBeforeFiltersAndLimit()
    {
        var store = GoldenStore();
        var r = store.Range(new RangeRequest { Key = B("foo"), RangeEnd = B("fop"), MinModRevision = 4, Limit = 1 }).Response!;
        Assert.Equal(3, r.Count);
        Assert.Equal("foo1", r.Keys());
        Assert.True(r.More);
    }

    [Fact]
    public void Limit_IsExact_AndMoreOnlyWhenCut()
    {
        var store = GoldenStore();
        var two = store.Range(new RangeRequest { Key = B("foo"), RangeEnd = B("fop"), Limit = 2 }).Response!;
        Assert.Equal("foo,foo1", two.Keys());
        Assert.True(two.More);
        Assert.Equal(3, two.Count);
        var three = store.Range(new RangeRequest { Key = B("foo"), RangeEnd = B("fop"), Limit = 3 }).Response!;
        Assert.False(three.More);
        var none = store.Range(new RangeRequest { Key = B("foo"), RangeEnd = B("fop"), Limit = -1 }).Response!;
        Assert.Equal(3, none.Kvs.Count);
    }

    [Fact]
    public void More_CountsOnlyKvsThatPassTheFilters()
    {
        var store = GoldenStore();
        var r = store.Range(new RangeRequest { Key = B("foo"), RangeEnd = B("fop"), MinModRevision = 5, Limit = 1 }).Response!;
        Assert.Equal("foo2", r.Keys());
        Assert.False(r.More);
    }

    [Theory]
    [InlineData(SortOrder.Descend, SortTarget.Key, "foo2,foo1,foo")]
    [InlineData(SortOrder.Ascend, SortTarget.Key, "foo,foo1,foo2")]
    [InlineData(SortOrder.None, SortTarget.Key, "foo,foo1,foo2")]
    [InlineData(SortOrder.Descend, SortTarget.Create, "foo2,foo1,foo")]
    [InlineData(SortOrder.Ascend, SortTarget.Value, "foo1,foo2,foo")]
    [InlineData(SortOrder.None, SortTarget.Value, "foo1,foo2,foo")]
    [InlineData(SortOrder.Descend, SortTarget.Version, "foo,foo1,foo2")]
    [InlineData(SortOrder.Ascend, SortTarget.Version, "foo1,foo2,foo")]
    [InlineData(SortOrder.Descend, SortTarget.Mod, "foo2,foo1,foo")]
    [InlineData(SortOrder.None, SortTarget.Mod, "foo,foo1,foo2")]
    public void Sort_MatchesGoldenCaptures(SortOrder order, SortTarget target, string expected)
    {
        var r = GoldenStore().Range(new RangeRequest { Key = B("foo"), RangeEnd = B("fop"), SortOrder = order, SortTarget = target }).Response!;
        Assert.Equal(expected, r.Keys());
        Assert.Equal(3, r.Count);
    }

    [Fact]
    public void Sort_TiesKeepAscendingKeyOrder_AlsoWhenDescending()
    {
        var store = new MvccStore();
        foreach (var k in new[] { "d", "b", "a", "c" })
        {
            store.Put(k, "same");
        }

        store.Put("b", "same");
        var desc = store.Range(new RangeRequest { Key = B("a"), RangeEnd = B("z"), SortOrder = SortOrder.Descend, SortTarget = SortTarget.Version }).Response!;
        Assert.Equal("b,a,c,d", desc.Keys());
        var byValue = store.Range(new RangeRequest { Key = B("a"), RangeEnd = B("z"), SortOrder = SortOrder.Descend, SortTarget = SortTarget.Value }).Response!;
        Assert.Equal("a,b,c,d", byValue.Keys());
    }

    [Fact]
    public void Sort_AppliesBeforeLimit()
    {
        var r = GoldenStore().Range(new RangeRequest { Key = B("foo"), RangeEnd = B("fop"), SortOrder = SortOrder.Descend, SortTarget = SortTarget.Create, Limit = 1 }).Response!;
        Assert.Equal("foo2", r.Keys());
        Assert.True(r.More);
        Assert.Equal(3, r.Count);
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(-1, 0)]
    [InlineData(0, 5)]
    [InlineData(0, -1)]
    public void SortOptionOutsideEnum_IsInvalidSortOption(int order, int target)
    {
        var request = new RangeRequest { Key = B("foo"), SortOrder = (SortOrder)order, SortTarget = (SortTarget)target };
        Assert.Equal(MvccStatus.InvalidSortOption, RequestValidator.ValidateRange(request));
        Assert.Equal(MvccStatus.InvalidSortOption, GoldenStore().Range(request).Status);
    }

    [Fact]
    public void KeysOnly_LeavesOutValueOnly_AndDoesNotTouchTheStore()
    {
        var store = GoldenStore();
        store.LeaseGrant(7, 10);
        store.Put("foo", "v", lease: 7);
        var r = store.Range(new RangeRequest { Key = B("foo"), KeysOnly = true }).Response!;
        var kv = Assert.Single(r.Kvs);
        Assert.True(kv.Value.IsEmpty);
        Assert.Equal(7, kv.Lease);
        Assert.Equal(3, kv.Version);
        Assert.Equal(2, kv.CreateRevision);
        Assert.Equal("v", S(store.Get("foo").Kvs[0].Value));
    }

    [Fact]
    public void CountOnly_ReturnsOnlyCount()
    {
        var r = GoldenStore().Range(new RangeRequest { Key = B("foo"), RangeEnd = B("fop"), CountOnly = true, Limit = 1 }).Response!;
        Assert.Equal(3, r.Count);
        Assert.Empty(r.Kvs);
        Assert.False(r.More);
    }

    [Fact]
    public void CreateAndModFilters_DropKvsOutsideBounds()
    {
        var store = GoldenStore();
        var maxCreate = store.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MaxCreateRevision = 4 }).Response!;
        Assert.Equal("foo,foo1", maxCreate.Keys());
        Assert.Equal(4, maxCreate.Count);
        var minCreate = store.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MinCreateRevision = 4 }).Response!;
        Assert.Equal("foo1,foo2,fop", minCreate.Keys());
        var maxMod = store.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MaxModRevision = 3 }).Response!;
        Assert.Equal("foo", maxMod.Keys());
        var minMod = store.Range(new RangeRequest { Key = Zero, RangeEnd = Zero, MinModRevision = 6 }).Response!;
        Assert.Equal("fop", minMod.Keys());
    }

    [Fact]
    public void OldRevision_ReadsTheStoreAsItWas_HeaderIsCurrent()
    {
        var store = GoldenStore();
        Assert.Empty(store.Get("foo", revision: 1).Kvs);
        var at2 = store.Get("foo", revision: 2);
        Assert.Equal("foo=bar@2/2/1", at2.Kvs.Dump());
        Assert.Equal(6, at2.Header.Revision);
        Assert.Equal("foo,foo1", store.Get("foo", "fop", revision: 4).Keys());
        Assert.Equal(store.Get("foo", "fop").Kvs.Dump(), store.Get("foo", "fop", revision: 6).Kvs.Dump());
    }

    [Fact]
    public void FutureAndCompactedRevisions_AreRefused()
    {
        var store = GoldenStore();
        Assert.Equal(MvccStatus.FutureRevision, store.Range(new RangeRequest { Key = B("foo"), Revision = 7 }).Status);
        Assert.True(store.Compact(4).IsOk);
        Assert.Equal(MvccStatus.Compacted, store.Range(new RangeRequest { Key = B("foo"), Revision = 3 }).Status);
        Assert.Equal("foo=baz@2/3/2", store.Get("foo", revision: 4).Kvs.Dump());
        Assert.True(store.Range(new RangeRequest { Key = B("foo"), Revision = -5 }).IsOk);
    }

    [Fact]
    public void DeletedAndRecreatedKey_ReadsCorrectlyAtEveryRevision()
    {
        var store = new MvccStore();
        store.Put("k", "a");        // 2
        store.Put("k", "b");        // 3
        store.Delete("k");          // 4
        store.Put("other", "x");    // 5
        store.Put("k", "c");        // 6
        store.Put("k", "d");        // 7
        Assert.Empty(store.Get("k", revision: 1).Kvs);
        Assert.Equal("k=a@2/2/1", store.Get("k", revision: 2).Kvs.Dump());
        Assert.Equal("k=b@2/3/2", store.Get("k", revision: 3).Kvs.Dump());
        Assert.Empty(store.Get("k", revision: 4).Kvs);
        Assert.Empty(store.Get("k", revision: 5).Kvs);
        Assert.Equal("k=c@6/6/1", store.Get("k", revision: 6).Kvs.Dump());
        Assert.Equal("k=d@6/7/2", store.Get("k").Kvs.Dump());
        Assert.Equal(0, store.Get("k", revision: 5).Count);
        store.CheckConsistency();
    }

    [Fact]
    public void ReturnedKeyValues_AreSharedNotCopied()
    {
        var store = GoldenStore();
        var first = store.Get("foo").Kvs[0];
        Assert.Same(first, store.Get("foo").Kvs[0]);
        Assert.Same(first, store.All().Kvs[0]);
    }
}
