using AntiEtcd.Api;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>
/// Format freeze of store snapshots (docs/wal-format.md §8.2): the byte image of a tiny store.
/// If this test fails, the format changed: bump <see cref="MvccStore.SnapshotFormatVersion"/>,
/// keep reading version 1, and update the doc, never just the bytes here.
/// </summary>
public sealed class SnapshotGoldenTests
{
    /// <summary>
    /// Lease 7 (TTL 60); a=1 (2), b=x on lease 7 (3), a=2 (4), delete a (5), c=z (6), compacted at
    /// 3: a keeps three versions, b and c are bare, events 3..6 are retained (the one at 3 without
    /// prev_kv), and b is attached to lease 7.
    /// </summary>
    internal static MvccStore TinyStore()
    {
        var store = new MvccStore();
        Assert.True(store.LeaseGrant(7, 60).IsOk);
        store.Put("a", "1");
        store.Put("b", "x", lease: 7);
        store.Put("a", "2");
        store.Delete("a");
        store.Put("c", "z");
        Assert.True(store.Compact(3).IsOk);
        return store;
    }

    private const string TinyStoreImage =
        "01" + "06" + "03" + "01" + "03" + "04"      // version, revision, compact revision, counts: leases, keys, events
        + "073C"                                    // lease 7, TTL 60
        + "016103" + "020102000131" + "040202000132" + "0500" // "a": 3 versions: 1@2, 2@4, tombstone@5
        + "016201" + "030103070178"                  // "b": x@3 on lease 7
        + "016301" + "06010600017A"                  // "c": z@6
        + "0001620300" + "0001610402" + "0101610504" + "0001630600" // events: type, key, revision, prev_kv revision
        + "0CBB70EF";                               // CRC32C, little-endian

    [Fact]
    public void TinyStore_HasTheFrozenImage()
    {
        Assert.Equal(TinyStoreImage, Convert.ToHexString(SnapshotTests.Image(TinyStore())));
    }

    [Fact]
    public void FrozenImage_ReadsAsTheTinyStore()
    {
        var restored = MvccStore.ReadSnapshot(Convert.FromHexString(TinyStoreImage));
        SnapshotTests.AssertSameStore(TinyStore(), restored);
        Assert.Equal("b=x@3/3/1/L7 c=z@6/6/1", restored.All().Kvs.Dump());
        Assert.Equal("a=1@2/2/1 b=x@3/3/1/L7", restored.All(3).Kvs.Dump());
        Assert.True(restored.TryGetHistory(3, out var events));
        Assert.Equal("Put:b=x@3/3/1/L7 Put:a=2@2/4/2<a=1@2/2/1 Delete:a=@0/5/0<a=2@2/4/2 Put:c=z@6/6/1", events.Dump());
        Assert.Equal([(ReadOnlyMemory<byte>)"b"u8.ToArray()], restored.GetLeaseKeys(7), (x, y) => x.Span.SequenceEqual(y.Span));
    }

    [Fact]
    public void EventType_ValuesAreFrozen()
    {
        // Event types are persisted in snapshot images.
        Assert.Equal(0, (int)EventType.Put);
        Assert.Equal(1, (int)EventType.Delete);
    }

    [Fact]
    public void UnknownVersion_IsRefusedByName()
    {
        var image = Convert.FromHexString(TinyStoreImage);
        image[0] = 3;
        var e = Assert.Throws<InvalidDataException>(() => MvccStore.ReadSnapshot(image));
        Assert.Equal("store snapshot: offset 0: unknown format version 3 (this build reads 1 and 2)", e.Message);
    }

    [Fact]
    public void Corruption_NamesTheOffset()
    {
        var image = Convert.FromHexString(TinyStoreImage);
        image[5] ^= 0x40;
        var e = Assert.Throws<InvalidDataException>(() => MvccStore.ReadSnapshot(image));
        Assert.StartsWith($"store snapshot: offset {image.Length - 4}: checksum mismatch", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<InvalidDataException>(() => MvccStore.ReadSnapshot([]));
        Assert.Equal("store snapshot: offset 0: empty image", e.Message);
    }
}
