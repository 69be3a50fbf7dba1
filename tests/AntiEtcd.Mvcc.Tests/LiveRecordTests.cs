using System.Runtime.InteropServices;
using AntiEtcd.Api;
using static AntiEtcd.Mvcc.Tests.Kv;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>The packed form of a live key with no history (<see cref="LiveRecord"/>).</summary>
public sealed class LiveRecordTests
{
    [Theory]
    [InlineData(1L, 1L, 1L, 0L, 0)]
    [InlineData(5L, 9L, 3L, 7L, 100)]
    [InlineData(1L, long.MaxValue, long.MaxValue, long.MaxValue, 1)]
    [InlineData(127L, 128L, 2L, -1L, 300)]
    [InlineData(long.MaxValue, long.MaxValue, 1L, long.MinValue, 0)]
    public void Encode_RoundTripsEveryField(long createRevision, long modRevision, long version, long lease, int valueLength)
    {
        var key = new byte[200];
        key.AsSpan().Fill((byte)'k');
        var value = new byte[valueLength];
        for (var i = 0; i < value.Length; i++)
        {
            value[i] = (byte)i;
        }

        var bytes = LiveRecord.Encode(key, value, createRevision, modRevision, version, lease);
        var record = new LiveRecord(bytes);
        Assert.True(record.Key.Span.SequenceEqual(key));
        Assert.True(record.Value.Span.SequenceEqual(value));
        Assert.Equal((createRevision, modRevision, version, lease), (record.CreateRevision, record.ModRevision, record.Version, record.Lease));
        Assert.True(LiveRecord.KeyOf(bytes).Span.SequenceEqual(key));
    }

    [Fact]
    public void Encode_IsExactSize()
    {
        // 1 (key length) + 16 + 3 (create 1,000,000) + 1 (mod - create) + 1 (version) + 1 (lease) + 100.
        var bytes = LiveRecord.Encode(new byte[16], new byte[100], 1_000_000, 1_000_000, 1, 0);
        Assert.Equal(123, bytes.Length);
    }

    [Fact]
    public void ToKeyValue_AliasesTheRecord()
    {
        var bytes = LiveRecord.Encode("key"u8, "value"u8, 2, 3, 2, 0);
        var kv = new LiveRecord(bytes).ToKeyValue();
        Assert.True(MemoryMarshal.TryGetArray(kv.Key, out var key) && key.Array == bytes);
        Assert.True(MemoryMarshal.TryGetArray(kv.Value, out var value) && value.Array == bytes);
        Assert.Equal("key=value@2/3/2", Dump(kv));
    }

    [Fact]
    public void Range_OfAPackedKey_ReturnsAKeyValueAliasingOneArray()
    {
        var store = new MvccStore();
        store.Put("k", "v");
        var kv = store.Get("k").Kvs[0];
        Assert.True(MemoryMarshal.TryGetArray(kv.Key, out var key));
        Assert.True(MemoryMarshal.TryGetArray(kv.Value, out var value));
        Assert.Same(key.Array, value.Array);
        var keysOnly = store.Range(new RangeRequest { Key = "k"u8.ToArray(), KeysOnly = true }).Response!;
        Assert.True(keysOnly.Kvs[0].Value.IsEmpty);
    }

    [Fact]
    public void KeyLeavesAndRegainsThePackedForm()
    {
        // Packed → history (second put) → packed again once compaction leaves one live version;
        // CheckConsistency verifies that the index key is then a slice of the new record.
        var store = new MvccStore();
        store.Put("k", "1");
        store.Put("k", "2");
        store.CheckConsistency();
        Assert.True(store.Compact(store.Revision).IsOk);
        store.CheckConsistency();
        Assert.Equal("k=2@2/3/2", store.Get("k").Kvs.Dump());
        Assert.True(store.LeaseGrant(7, 10).IsOk);
        store.Put("k", "3", lease: 7);
        Assert.True(store.Compact(store.Revision).IsOk);
        store.CheckConsistency();
        Assert.True(store.LeaseRevoke(7).IsOk);
        Assert.Empty(store.Get("k").Kvs);
        store.CheckConsistency();
    }
}
