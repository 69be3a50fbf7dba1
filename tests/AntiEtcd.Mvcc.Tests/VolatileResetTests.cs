using System.Buffers;
using AntiEtcd.Api;
using static AntiEtcd.Mvcc.Tests.Kv;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>SPEC §9.4 in the store: filtered snapshot images and the volatile reset.</summary>
public sealed class VolatileResetTests
{
    private static ReadOnlyMemory<byte>? VolatileStats(ReadOnlySpan<byte> key, ReadOnlyMemory<byte> value) =>
        key.StartsWith("stats/"u8) ? (ReadOnlyMemory<byte>?)null : key.SequenceEqual("secret"u8) ? B("redacted") : value;

    private static byte[] FilteredImage(MvccStore store)
    {
        var buffer = new ArrayBufferWriter<byte>();
        store.WriteSnapshot(buffer, VolatileStats);
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void A_filtered_image_stores_the_persisted_values_and_lists_the_volatile_live_keys()
    {
        var store = new MvccStore();
        store.Put("stats/a", "hot-1");
        store.Put("stats/a", "hot-2");
        store.Put("stats/gone", "hot-3");
        store.Delete("stats/gone");
        store.Put("secret", "s3cr3t");
        store.Put("config", "1");

        var image = FilteredImage(store);
        Assert.Equal(MvccStore.FilteredSnapshotFormatVersion, image[0]);
        var text = System.Text.Encoding.Latin1.GetString(image);
        Assert.DoesNotContain("hot-", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", text, StringComparison.Ordinal);

        var restored = MvccStore.ReadSnapshot(image, out var volatileKeys);
        restored.CheckConsistency();
        Assert.Equal(["stats/a"], volatileKeys.Select(S));
        Assert.Equal(store.Revision, restored.Revision);
        Assert.Equal("redacted", S(Assert.Single(restored.Get("secret").Kvs).Value));
        Assert.Equal("1", S(Assert.Single(restored.Get("config").Kvs).Value));
        var stats = Assert.Single(restored.Get("stats/a").Kvs);
        Assert.Equal((2L, 3L, 2L), (stats.CreateRevision, stats.ModRevision, stats.Version));
        Assert.True(stats.Value.IsEmpty);

        // An unfiltered image has version 1 and lists nothing.
        MvccStore.ReadSnapshot(SnapshotTests.Image(store), out var none);
        Assert.Empty(none);
    }

    [Fact]
    public void A_volatile_key_that_is_not_live_is_refused()
    {
        var store = new MvccStore();
        store.Put("stats/a", "hot");
        var image = FilteredImage(store);

        // Rename the listed key (last bytes before the CRC: length 7, "stats/a") to one the image lacks, and fix the CRC.
        var body = image.AsSpan(0, image.Length - 4);
        body[^1] = (byte)'b';
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(image.Length - 4), Crc32C.Compute(body));
        var error = Assert.Throws<InvalidDataException>(() => MvccStore.ReadSnapshot(image, out _));
        Assert.Contains("volatile key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reset_replaces_the_state_and_compacts_everything_before_it()
    {
        var store = new MvccStore();
        Assert.True(store.LeaseGrant(7, 100).IsOk);
        store.Put("a", "1");
        store.Put("a", "2", lease: 7);
        store.Put("b", "x");
        var kept = store.Get("a").Kvs[0];

        store.Reset([kept], [(7, 100), (9, 5)], store.Revision + 2);
        store.CheckConsistency();
        Assert.Equal(6, store.Revision);
        Assert.Equal(6, store.CompactRevision);
        Assert.Equal(["a"], store.Get("\0", "\0").Kvs.Select(kv => S(kv.Key)));
        Assert.Equal(MvccStatus.Compacted, store.Range(new RangeRequest { Key = B("a"), Revision = 5 }).Status);
        Assert.Equal([7L, 9L], store.GetLeaseIds());
        Assert.False(store.TryGetHistory(5, out _));

        // Revoking lease 7 deletes the key attached to it at the next revision.
        Assert.True(store.LeaseRevoke(7).IsOk);
        Assert.Empty(store.Get("a").Kvs);
        Assert.Equal(7, store.Revision);
    }

    [Fact]
    public void A_reset_that_breaks_a_rule_changes_nothing()
    {
        var store = new MvccStore();
        store.Put("a", "1");
        var kv = store.Get("a").Kvs[0];
        Assert.Throws<ArgumentException>(() => store.Reset([kv], [], store.Revision));
        Assert.Throws<ArgumentException>(() => store.Reset([kv, kv], [], store.Revision + 2));
        Assert.Throws<ArgumentException>(() => store.Reset([new KeyValue { Key = B("l"), Value = B("v"), CreateRevision = 1, ModRevision = 1, Version = 1, Lease = 3 }], [], store.Revision + 2));
        Assert.Equal("1", S(Assert.Single(store.Get("a").Kvs).Value));
        Assert.Equal(2, store.Revision);
    }
}
