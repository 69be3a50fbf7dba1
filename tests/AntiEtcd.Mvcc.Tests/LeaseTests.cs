using static AntiEtcd.Mvcc.Tests.Kv;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>SPEC §5.1, §5.2, §5.5: the store's side of leases.</summary>
public sealed class LeaseTests
{
    [Fact]
    public void Grant_TakesNoRevision_AndIsListed()
    {
        var store = new MvccStore();
        var response = store.LeaseGrant(1000, 30);
        Assert.True(response.IsOk);
        Assert.Equal(1000, response.Response!.Id);
        Assert.Equal(30, response.Response.Ttl);
        Assert.Equal(1, response.Response.Header.Revision);
        Assert.Equal(1, store.Revision);
        Assert.True(store.TryGetLease(1000, out var ttl));
        Assert.Equal(30, ttl);
        Assert.Equal(1, store.LeaseCount);
        Assert.Empty(store.LastEvents);
    }

    [Fact]
    public void Grant_IdInUse_IsLeaseAlreadyExists()
    {
        var store = new MvccStore();
        store.LeaseGrant(1000, 30);
        Assert.Equal(MvccStatus.LeaseAlreadyExists, store.LeaseGrant(1000, 60).Status);
        Assert.True(store.TryGetLease(1000, out var ttl));
        Assert.Equal(30, ttl);
    }

    [Fact]
    public void Grant_NegativeIdOrHugeTtl_IsRefused_ZeroIdIsACallerBug()
    {
        var store = new MvccStore();
        Assert.Equal(MvccStatus.LeaseIdNegative, store.LeaseGrant(-5, 30).Status);
        Assert.Equal(MvccStatus.LeaseTtlTooLarge, store.LeaseGrant(5, 9_000_000_001).Status);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.LeaseGrant(0, 30));
        Assert.Equal(0, store.LeaseCount);
    }

    [Fact]
    public void LeaseIds_AreAscending()
    {
        var store = new MvccStore();
        foreach (var id in new long[] { 50, long.MaxValue, 3, 1000 })
        {
            store.LeaseGrant(id, 10);
        }

        Assert.Equal([3, 50, 1000, long.MaxValue], store.GetLeaseIds());
    }

    [Fact]
    public void LeaseKeys_AreInKeyOrder_AndEmptyForUnknownLease()
    {
        var store = new MvccStore();
        store.LeaseGrant(1, 10);
        store.Put("c", "1", lease: 1);
        store.Put("a", "1", lease: 1);
        store.Put("b", "1", lease: 1);
        Assert.Equal(["a", "b", "c"], store.GetLeaseKeys(1).Select(S));
        Assert.Empty(store.GetLeaseKeys(2));
        Assert.False(store.TryGetLease(2, out _));
    }

    [Fact]
    public void Revoke_UnknownOrZero_IsLeaseNotFound()
    {
        var store = new MvccStore();
        Assert.Equal(MvccStatus.LeaseNotFound, store.LeaseRevoke(424242).Status);
        Assert.Equal(MvccStatus.LeaseNotFound, store.LeaseRevoke(0).Status);
    }

    [Fact]
    public void Revoke_DeletesAttachedKeysAtOneRevision_InKeyOrder()
    {
        var store = new MvccStore();
        store.LeaseGrant(1, 10);
        store.Put("c", "1", lease: 1); // 2
        store.Put("a", "2", lease: 1); // 3
        store.Put("b", "3");           // 4, not leased
        var response = store.LeaseRevoke(1);
        Assert.True(response.IsOk);
        Assert.Equal(5, response.Response!.Header.Revision);
        Assert.Equal(5, store.Revision);
        Assert.Equal("Delete:a=@0/5/0<a=2@3/3/1/L1 Delete:c=@0/5/0<c=1@2/2/1/L1", store.LastEvents.Dump());
        Assert.Equal("b", store.All().Keys());
        Assert.False(store.TryGetLease(1, out _));
        Assert.Equal(0, store.LeaseCount);
        store.CheckConsistency();
    }

    [Fact]
    public void Revoke_WithoutKeys_TakesNoRevision()
    {
        var store = new MvccStore();
        store.LeaseGrant(1, 10);
        store.Put("k", "1", lease: 1);
        store.Put("k", "2");
        var response = store.LeaseRevoke(1);
        Assert.True(response.IsOk);
        Assert.Equal(3, response.Response!.Header.Revision);
        Assert.Equal(3, store.Revision);
        Assert.Empty(store.LastEvents);
        Assert.Equal("k", store.All().Keys());
    }

    [Fact]
    public void PutWithRevokedLease_IsLeaseNotFound()
    {
        var store = new MvccStore();
        store.LeaseGrant(1, 10);
        store.LeaseRevoke(1);
        Assert.Equal(MvccStatus.LeaseNotFound, store.Put(new AntiEtcd.Api.PutRequest { Key = B("k"), Lease = 1 }).Status);
    }

    [Fact]
    public void RevokedKeys_AreReadableAtOlderRevisions()
    {
        var store = new MvccStore();
        store.LeaseGrant(1, 10);
        store.Put("k", "1", lease: 1);
        store.LeaseRevoke(1);
        Assert.Equal("k=1@2/2/1/L1", store.Get("k", revision: 2).Kvs.Dump());
        Assert.Empty(store.Get("k").Kvs);
    }
}
