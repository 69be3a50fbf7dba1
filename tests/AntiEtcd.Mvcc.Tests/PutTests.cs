using AntiEtcd.Api;
using static AntiEtcd.Mvcc.Tests.Kv;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>SPEC §2.2 and §4.2.</summary>
public sealed class PutTests
{
    [Fact]
    public void EmptyStore_IsAtRevisionOne_WithCompactRevisionZero()
    {
        var store = new MvccStore();
        Assert.Equal(1, store.Revision);
        Assert.Equal(0, store.CompactRevision);
        Assert.Equal(0, store.KeyCount);
        Assert.Equal(0, store.EstimatedSizeBytes);
        Assert.Empty(store.LastEvents);
    }

    [Fact]
    public void NewKey_GetsCreateEqualsModAndVersionOne()
    {
        var store = new MvccStore();
        var response = store.Put("foo", "bar");
        Assert.Equal(2, response.Header.Revision);
        Assert.Null(response.PrevKv);
        Assert.Equal("foo=bar@2/2/1", store.Get("foo").Kvs.Dump());
        Assert.Equal(1, store.KeyCount);
    }

    [Fact]
    public void ExistingKey_KeepsCreateRevision_BumpsVersion()
    {
        var store = new MvccStore();
        store.Put("foo", "bar");
        var response = store.Put("foo", "baz", prevKv: true);
        Assert.Equal(3, response.Header.Revision);
        Assert.Equal("foo=bar@2/2/1", Dump(response.PrevKv!));
        Assert.Equal("foo=baz@2/3/2", store.Get("foo").Kvs.Dump());
        Assert.Equal(1, store.KeyCount);
    }

    [Fact]
    public void PrevKv_OnNewKey_IsAbsent()
    {
        Assert.Null(new MvccStore().Put("foo1", "1", prevKv: true).PrevKv);
    }

    [Fact]
    public void PrevKv_NotRequested_IsAbsent()
    {
        var store = new MvccStore();
        store.Put("foo", "bar");
        Assert.Null(store.Put("foo", "baz").PrevKv);
    }

    [Fact]
    public void IdenticalValue_TakesNewRevisionAndProducesEvent()
    {
        var store = new MvccStore();
        store.Put("foo", "bar");
        var response = store.Put("foo", "bar");
        Assert.Equal(3, response.Header.Revision);
        Assert.Equal("Put:foo=bar@2/3/2<foo=bar@2/2/1", store.LastEvents.Dump());
    }

    [Fact]
    public void EmptyValue_IsAllowed()
    {
        var store = new MvccStore();
        store.Put("empty", "");
        Assert.Equal("empty=@2/2/1", store.Get("empty").Kvs.Dump());
    }

    [Fact]
    public void IgnoreValue_KeepsValue_IgnoreLease_KeepsLease()
    {
        var store = new MvccStore();
        store.LeaseGrant(5, 30);
        store.Put("k", "v1", lease: 5);
        var keepValue = store.Put(new PutRequest { Key = B("k"), IgnoreValue = true, Lease = 5, PrevKv = true }).Response!;
        Assert.Equal("k=v1@2/2/1/L5", Dump(keepValue.PrevKv!));
        Assert.Equal("k=v1@2/3/2/L5", store.Get("k").Kvs.Dump());
        store.Put(new PutRequest { Key = B("k"), Value = B("v2"), IgnoreLease = true });
        Assert.Equal("k=v2@2/4/3/L5", store.Get("k").Kvs.Dump());
        Assert.Equal(["k"], store.GetLeaseKeys(5).Select(S));
    }

    [Fact]
    public void IgnoreValueWithoutLease_DetachesLease()
    {
        var store = new MvccStore();
        store.LeaseGrant(5, 30);
        store.Put("k", "v1", lease: 5);
        store.Put(new PutRequest { Key = B("k"), IgnoreValue = true });
        Assert.Equal("k=v1@2/3/2", store.Get("k").Kvs.Dump());
        Assert.Empty(store.GetLeaseKeys(5));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void IgnoreOnMissingKey_IsKeyNotFound_AndChangesNothing(bool ignoreValue, bool ignoreLease)
    {
        var store = new MvccStore();
        store.Put("other", "x");
        var result = store.Put(new PutRequest { Key = B("nope"), IgnoreValue = ignoreValue, IgnoreLease = ignoreLease });
        Assert.Equal(MvccStatus.KeyNotFound, result.Status);
        Assert.Null(result.Response);
        Assert.Equal(2, store.Revision);
        Assert.Empty(store.LastEvents);
    }

    [Fact]
    public void IgnoreOnDeletedKey_IsKeyNotFound()
    {
        var store = new MvccStore();
        store.Put("k", "x");
        store.Delete("k");
        Assert.Equal(MvccStatus.KeyNotFound, store.Put(new PutRequest { Key = B("k"), IgnoreValue = true }).Status);
    }

    [Fact]
    public void UnknownLease_IsLeaseNotFound_CheckedBeforeKeyNotFound()
    {
        var store = new MvccStore();
        Assert.Equal(MvccStatus.LeaseNotFound, store.Put(new PutRequest { Key = B("k"), Value = B("v"), Lease = 12345 }).Status);
        Assert.Equal(MvccStatus.LeaseNotFound, store.Put(new PutRequest { Key = B("k"), IgnoreValue = true, Lease = 12345 }).Status);
        Assert.Equal(1, store.Revision);
        Assert.Equal(0, store.KeyCount);
    }

    [Fact]
    public void StatelessChecks_InSpecOrder()
    {
        Assert.Equal(MvccStatus.KeyNotProvided, RequestValidator.ValidatePut(new PutRequest { Value = B("v"), IgnoreValue = true }));
        Assert.Equal(MvccStatus.ValueProvided, RequestValidator.ValidatePut(new PutRequest { Key = B("k"), Value = B("v"), IgnoreValue = true, IgnoreLease = true, Lease = 3 }));
        Assert.Equal(MvccStatus.LeaseProvided, RequestValidator.ValidatePut(new PutRequest { Key = B("k"), IgnoreLease = true, Lease = 3 }));
        Assert.Equal(MvccStatus.Ok, RequestValidator.ValidatePut(new PutRequest { Key = B("k"), IgnoreValue = true, IgnoreLease = true }));
        var store = new MvccStore();
        Assert.Equal(MvccStatus.KeyNotProvided, store.Put(new PutRequest { Value = B("v") }).Status);
        Assert.Equal(MvccStatus.LeaseProvided, store.Put(new PutRequest { Key = B("k"), IgnoreLease = true, Lease = 3 }).Status);
    }

    [Fact]
    public void PutWithoutLease_DetachesFromLease_PutWithOtherLease_Moves()
    {
        var store = new MvccStore();
        store.LeaseGrant(1, 10);
        store.LeaseGrant(2, 10);
        store.Put("k", "v", lease: 1);
        Assert.Equal(["k"], store.GetLeaseKeys(1).Select(S));
        store.Put("k", "v", lease: 2);
        Assert.Empty(store.GetLeaseKeys(1));
        Assert.Equal(["k"], store.GetLeaseKeys(2).Select(S));
        store.Put("k", "v");
        Assert.Empty(store.GetLeaseKeys(2));
        Assert.Equal(0, store.Get("k").Kvs[0].Lease);
        store.CheckConsistency();
    }

    [Fact]
    public void PutEvent_CarriesNewKvAndPrevKv()
    {
        var store = new MvccStore();
        store.Put("a", "1");
        Assert.Equal("Put:a=1@2/2/1", store.LastEvents.Dump());
        store.Put("a", "2");
        var e = Assert.Single(store.LastEvents);
        Assert.Same(store.Get("a").Kvs[0], e.Kv);
        Assert.Equal("a=1@2/2/1", Dump(e.PrevKv!));
    }

    [Fact]
    public void StoreKeepsNoRequestKeyMemory()
    {
        // The index must not keep a request's buffer alive (it may be a slice of a large one):
        // a new key is copied into its packed record, an existing key keeps the store's memory.
        var store = new MvccStore();
        var firstRequest = "a"u8.ToArray();
        var secondRequest = "a"u8.ToArray();
        store.Put(new PutRequest { Key = firstRequest, Value = "1"u8.ToArray() });
        var firstKey = store.Get("a").Kvs[0].Key;
        store.Put(new PutRequest { Key = secondRequest, Value = "2"u8.ToArray() });
        var secondKey = store.Get("a").Kvs[0].Key;
        Assert.False(firstKey.Span.Overlaps(firstRequest));
        Assert.False(secondKey.Span.Overlaps(firstRequest));
        Assert.False(secondKey.Span.Overlaps(secondRequest));
        store.CheckConsistency();
    }

    [Fact]
    public void NewKey_IsCopied_SoTheRequestBuffersCanBeReused()
    {
        var store = new MvccStore();
        var key = "k"u8.ToArray();
        var value = "v1"u8.ToArray();
        store.Put(new PutRequest { Key = key, Value = value });
        key[0] = (byte)'x';
        value[1] = (byte)'9';
        Assert.Equal("k=v1@2/2/1", store.Get("k").Kvs.Dump());
        store.CheckConsistency();
    }

    [Fact]
    public void EstimatedSize_CountsLiveAndHistory()
    {
        var store = new MvccStore();
        store.Put("ab", "123");
        Assert.Equal(5, store.EstimatedSizeBytes);
        store.Put("ab", "1");
        Assert.Equal(8, store.EstimatedSizeBytes);
        store.Compact(3);
        Assert.Equal(3, store.EstimatedSizeBytes);
        store.CheckConsistency();
    }
}
