using AntiEtcd.Api;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>SPEC §4.3.</summary>
public sealed class DeleteRangeTests
{
    [Fact]
    public void SingleKey_DeletesAtNewRevision()
    {
        var store = new MvccStore();
        store.Put("foo2", "2");
        var response = store.Delete("foo2", prevKv: true);
        Assert.Equal(1, response.Deleted);
        Assert.Equal(3, response.Header.Revision);
        Assert.Equal("foo2=2@2/2/1", response.PrevKvs.Dump());
        Assert.Empty(store.Get("foo2").Kvs);
        Assert.Equal(0, store.KeyCount);
    }

    [Fact]
    public void Range_DeletesAllAtOneRevision_PrevKvsInKeyOrder()
    {
        var store = new MvccStore();
        store.Put("foo2", "2");
        store.Put("foo1", "1");
        store.Put("foo3", "3");
        var response = store.Delete("foo1", "foo3", prevKv: true);
        Assert.Equal(2, response.Deleted);
        Assert.Equal(5, response.Header.Revision);
        Assert.Equal("foo1,foo2", response.PrevKvs.Keys());
        Assert.Equal("foo3", store.All().Keys());
        Assert.Equal(5, store.Revision);
    }

    [Fact]
    public void PrevKvsNotRequested_AreEmpty()
    {
        var store = new MvccStore();
        store.Put("a", "1");
        Assert.Empty(store.Delete("a").PrevKvs);
    }

    [Fact]
    public void NothingMatched_TakesNoRevision()
    {
        var store = new MvccStore();
        store.Put("a", "1");
        var response = store.Delete("nope", prevKv: true);
        Assert.Equal(0, response.Deleted);
        Assert.Empty(response.PrevKvs);
        Assert.Equal(2, response.Header.Revision);
        Assert.Equal(2, store.Revision);
        Assert.Empty(store.LastEvents);
    }

    [Fact]
    public void AlreadyDeletedKey_IsNotDeletedAgain()
    {
        var store = new MvccStore();
        store.Put("a", "1");
        store.Delete("a");
        Assert.Equal(0, store.Delete("a").Deleted);
        Assert.Equal(3, store.Revision);
    }

    [Fact]
    public void ZeroEnd_DeletesEverythingFromKey()
    {
        var store = new MvccStore();
        store.Put("a", "1");
        store.Put("b", "1");
        store.Put("c", "1");
        Assert.Equal(2, store.Delete("b", "\0").Deleted);
        Assert.Equal("a", store.All().Keys());
        Assert.Equal(1, store.Delete("\0", "\0").Deleted);
        Assert.Equal(0, store.KeyCount);
    }

    [Fact]
    public void EndBeforeKey_DeletesNothing()
    {
        var store = new MvccStore();
        store.Put("a", "1");
        store.Put("b", "1");
        Assert.Equal(0, store.Delete("b", "a").Deleted);
        Assert.Equal(2, store.KeyCount);
    }

    [Fact]
    public void EmptyKey_IsKeyNotProvided()
    {
        Assert.Equal(MvccStatus.KeyNotProvided, new MvccStore().DeleteRange(new DeleteRangeRequest()).Status);
    }

    [Fact]
    public void DeletedKey_LosesLeaseAttachment_AndRecreatedKeyHasNoLease()
    {
        var store = new MvccStore();
        store.LeaseGrant(9, 10);
        store.Put("k", "v", lease: 9);
        store.Delete("k");
        Assert.Empty(store.GetLeaseKeys(9));
        store.Put("k", "w");
        Assert.Equal("k=w@4/4/1", store.Get("k").Kvs.Dump());
        Assert.Equal(MvccStatus.Ok, store.LeaseRevoke(9).Status);
        Assert.Equal("k", store.All().Keys());
        store.CheckConsistency();
    }

    [Fact]
    public void DeleteEvents_AreTombstonesInKeyOrder_WithPrevKv()
    {
        var store = new MvccStore();
        store.Put("b", "2");
        store.Put("a", "1");
        store.Delete("a", "c");
        Assert.Equal("Delete:a=@0/4/0<a=1@3/3/1 Delete:b=@0/4/0<b=2@2/2/1", store.LastEvents.Dump());
        var tombstone = store.LastEvents[0].Kv;
        Assert.Equal(0, tombstone.Version);
        Assert.Equal(0, tombstone.CreateRevision);
        Assert.True(tombstone.Value.IsEmpty);
        Assert.Equal(0, tombstone.Lease);
    }
}
