using AntiEtcd.Api;
using static AntiEtcd.Mvcc.Tests.Kv;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>The store side of <c>--import_antietcd</c> (SPEC §9.6): applied only on an empty store, no events, compacted to the new revision.</summary>
public sealed class ImportTests
{
    private static KeyValue Key(string key, string value, long create, long mod, long version) =>
        new() { Key = B(key), Value = B(value), CreateRevision = create, ModRevision = mod, Version = version };

    private static KeyValue[] Sample() =>
    [
        Key("/b", "2", 3, 7, 3),
        Key("/a", "1", 1, 1, 1),
        Key("/c/d", "", 9, 9, 1),
    ];

    [Fact]
    public void EmptyStore_LoadsEveryKeyAsItsOnlyVersion_AtTheLargestRevision()
    {
        var store = new MvccStore();
        Assert.True(store.IsEmpty);
        Assert.True(store.Import(Sample(), 5));
        store.CheckConsistency();

        Assert.Equal(9, store.Revision);
        Assert.Equal(9, store.CompactRevision);
        Assert.Equal(3, store.KeyCount);
        Assert.Equal("/a=1@1/1/1 /b=2@3/7/3 /c/d=@9/9/1", store.All().Kvs.Dump());
        Assert.Equal("/a=1@1/1/1 /b=2@3/7/3 /c/d=@9/9/1", store.All(9).Kvs.Dump());
        Assert.Equal(MvccStatus.Compacted, store.Range(new RangeRequest { Key = B("/a"), Revision = 8 }).Status);
        Assert.Empty(store.LastEvents);
        Assert.False(store.IsEmpty);
    }

    [Fact]
    public void FileRevisionAboveEveryKey_IsTheNewRevision()
    {
        var store = new MvccStore();
        Assert.True(store.Import(Sample(), 18));
        Assert.Equal(18, store.Revision);
        Assert.Equal(18, store.CompactRevision);
    }

    [Fact]
    public void NoKeysAndRevisionZero_StaysAtRevisionOne()
    {
        var store = new MvccStore();
        Assert.True(store.Import([], 0));
        Assert.Equal(1, store.Revision);
        Assert.Equal(1, store.CompactRevision);
        Assert.Equal(0, store.KeyCount);
    }

    [Fact]
    public void NoEvents_NoHistoryBeforeTheImport_AndLaterWritesContinue()
    {
        var store = new MvccStore();
        store.Import(Sample(), 0);
        Assert.True(store.TryGetHistory(9, out var events));
        Assert.Empty(events);
        Assert.False(store.TryGetHistory(8, out _));

        var put = store.Put("/b", "3");
        Assert.Equal(10, put.Header.Revision);
        Assert.Equal("/b=3@3/10/4", store.Get("/b").Kvs.Dump());
        store.Delete("/a");
        store.Put("/a", "again");
        Assert.Equal("/a=again@12/12/1", store.Get("/a").Kvs.Dump());
        Assert.True(store.TryGetHistory(10, out events));
        Assert.Equal("Put:/b=3@3/10/4</b=2@3/7/3 Delete:/a=@0/11/0</a=1@1/1/1 Put:/a=again@12/12/1", events.Dump());
        store.CheckConsistency();
        Assert.True(store.Compact(11).IsOk);
        store.CheckConsistency();
    }

    [Fact]
    public void ImportedStore_SurvivesASnapshot()
    {
        var store = new MvccStore();
        store.Import(Sample(), 12);
        var restored = MvccStore.ReadSnapshot(SnapshotTests.Image(store));
        SnapshotTests.AssertSameStore(store, restored);
    }

    [Fact]
    public void StoreThatTookAWrite_IsNotEmpty_AndSkipsTheImport()
    {
        var store = new MvccStore();
        store.Put("x", "1");
        Assert.False(store.IsEmpty);
        var before = store.HashKv();
        Assert.False(store.Import(Sample(), 100));
        Assert.Equal(2, store.Revision);
        Assert.Equal(0, store.CompactRevision);
        Assert.Equal(before, store.HashKv());
        Assert.Empty(store.LastEvents);
    }

    [Fact]
    public void DeletedKeyAtRevisionTwo_IsNotEmpty()
    {
        var store = new MvccStore();
        store.Put("x", "1");
        store.Delete("x");
        Assert.Equal(0, store.KeyCount);
        Assert.False(store.Import(Sample(), 0));
        Assert.Equal("", store.All().Kvs.Dump());
    }

    [Fact]
    public void StoreWithOnlyALease_IsNotEmpty()
    {
        var store = new MvccStore();
        Assert.True(store.LeaseGrant(5, 60).IsOk);
        Assert.Equal(1, store.Revision);
        Assert.False(store.IsEmpty);
        Assert.False(store.Import(Sample(), 0));
        Assert.Equal(0, store.KeyCount);
    }

    [Fact]
    public void SecondImport_IsSkipped()
    {
        var store = new MvccStore();
        Assert.True(store.Import([], 0));
        // Revision 1 and no keys, but compacted: still "as new", so a second import applies.
        Assert.True(store.IsEmpty);
        Assert.True(store.Import(Sample(), 0));
        Assert.False(store.Import([Key("/z", "1", 1, 1, 1)], 0));
        Assert.Equal(3, store.KeyCount);
    }

    [Theory]
    [InlineData("", 1, 1, 1, 0, "the key is empty")]
    [InlineData("k", 1, 1, 1, 7, "it has a lease")]
    [InlineData("k", 1, 1, 0, 0, "version 0 is below 1")]
    [InlineData("k", 0, 1, 1, 0, "create_revision 0 is below 1")]
    [InlineData("k", 5, 4, 1, 0, "mod_revision 4 is below create_revision 5")]
    [InlineData("k", 3, 4, 3, 0, "version 3 is impossible between revisions 3 and 4")]
    public void BadKey_IsRefused_AndNothingChanges(string key, long create, long mod, long version, long lease, string problem)
    {
        KeyValue[] keys = [Key("/ok", "v", 1, 1, 1), new() { Key = B(key), CreateRevision = create, ModRevision = mod, Version = version, Lease = lease }];
        var message = MvccStore.ValidateImport(keys);
        Assert.NotNull(message);
        Assert.EndsWith(problem, message, StringComparison.Ordinal);
        var store = new MvccStore();
        var ex = Assert.Throws<ArgumentException>(() => store.Import(keys, 0));
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
        Assert.True(store.IsEmpty);
        Assert.Equal(0, store.KeyCount);
    }

    [Fact]
    public void DuplicateKey_IsRefused()
    {
        KeyValue[] keys = [Key("/a", "1", 1, 1, 1), Key("/b", "1", 1, 1, 1), Key("/a", "2", 2, 2, 1)];
        Assert.Equal("key \"/a\" appears twice", MvccStore.ValidateImport(keys));
        Assert.Throws<ArgumentException>(() => new MvccStore().Import(keys, 0));
    }

    [Fact]
    public void BinaryKey_IsNamedInHex()
    {
        KeyValue[] keys = [new() { Key = new byte[] { 0xff, 0x01 }, CreateRevision = 1, ModRevision = 1, Version = 2 }];
        Assert.Equal("key 0xFF01: version 2 is impossible between revisions 1 and 1", MvccStore.ValidateImport(keys));
    }

    [Fact]
    public void ValidKeys_HaveNoProblem() => Assert.Null(MvccStore.ValidateImport(Sample()));
}
