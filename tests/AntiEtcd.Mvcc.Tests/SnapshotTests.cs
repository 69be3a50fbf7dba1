using System.Buffers;
using AntiEtcd.Api;
using static AntiEtcd.Mvcc.Tests.Kv;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>
/// Store snapshots (docs/wal-format.md §8.2): a restored store is the original in every
/// observable way, the image is deterministic, and <see cref="MvccStore.HashKv"/> tells equal
/// current states from different ones.
/// </summary>
public sealed class SnapshotTests
{
    internal static byte[] Image(MvccStore store)
    {
        var buffer = new ArrayBufferWriter<byte>();
        store.WriteSnapshot(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Compares everything a client, a watcher or the server can observe.</summary>
    internal static void AssertSameStore(MvccStore expected, MvccStore actual)
    {
        actual.CheckConsistency();
        Assert.Equal(expected.Revision, actual.Revision);
        Assert.Equal(expected.CompactRevision, actual.CompactRevision);
        Assert.Equal(expected.KeyCount, actual.KeyCount);
        Assert.Equal(expected.EstimatedSizeBytes, actual.EstimatedSizeBytes);
        Assert.Equal(expected.HashKv(), actual.HashKv());

        // Ranges at every retained revision, and just outside the window (refused alike).
        for (var revision = Math.Max(0, expected.CompactRevision - 1); revision <= expected.Revision + 1; revision++)
        {
            var request = new RangeRequest { Key = Zero, RangeEnd = Zero, Revision = revision };
            var e = expected.Range(request);
            var a = actual.Range(request);
            Assert.Equal(e.Status, a.Status);
            Assert.True(e.Response?.Kvs.Dump() == a.Response?.Kvs.Dump(), $"range at {revision}");
        }

        // Watch replay from every retained revision, with prev_kv.
        for (var from = Math.Max(0, expected.CompactRevision - 1); from <= expected.Revision + 1; from++)
        {
            Assert.Equal(expected.TryGetHistory(from, out var e), actual.TryGetHistory(from, out var a));
            Assert.True(e.Dump() == a.Dump(), $"history from {from}");
        }

        Assert.Equal(expected.GetLeaseIds(), actual.GetLeaseIds());
        foreach (var id in expected.GetLeaseIds())
        {
            Assert.True(expected.TryGetLease(id, out var ttl));
            Assert.True(actual.TryGetLease(id, out var actualTtl));
            Assert.Equal(ttl, actualTtl);
            Assert.Equal(expected.GetLeaseKeys(id).Select(S), actual.GetLeaseKeys(id).Select(S));
        }
    }

    [Theory]
    [InlineData(1, 40)]
    [InlineData(2, 150)]
    [InlineData(3, 400)]
    [InlineData(4, 800)]
    [InlineData(5, 1500)]
    [InlineData(6, 3000)]
    public void RandomStore_RestoresToAnEqualStore_ThatBehavesTheSame(int seed, int steps)
    {
        var original = SnapshotWorkload.Build(seed, steps);
        var image = Image(original);
        var restored = MvccStore.ReadSnapshot(image);
        AssertSameStore(original, restored);
        Assert.Empty(restored.LastEvents);
        Assert.Equal(image, Image(restored));

        // The same writes afterwards give the same outcomes, events and state: compaction,
        // lease revokes and deletes work on restored histories as on the originals.
        var rngOriginal = new Random(seed + 1000);
        var rngRestored = new Random(seed + 1000);
        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(SnapshotWorkload.Step(rngOriginal, original), SnapshotWorkload.Step(rngRestored, restored));
        }

        AssertSameStore(original, restored);
    }

    [Fact]
    public void RandomStores_CoverHistoriesTombstonesLeasesAndCompaction()
    {
        // The round-trip test proves little unless its stores hold the hard cases.
        var store = SnapshotWorkload.Build(5, 1500);
        Assert.True(store.CompactRevision > 1);
        Assert.True(store.Revision - store.CompactRevision > 5);
        Assert.True(store.LeaseCount > 0);
        Assert.Contains(store.GetLeaseIds(), id => store.GetLeaseKeys(id).Count > 0);
        Assert.True(store.TryGetHistory(store.CompactRevision, out var events));
        Assert.Contains(events, e => e.Type == EventType.Delete);
        Assert.Contains(events, e => e.PrevKv is not null);
        Assert.True(store.All(store.CompactRevision).Count != store.All().Count || store.All(store.CompactRevision).Kvs.Dump() != store.All().Kvs.Dump());
    }

    [Theory]
    [InlineData(11, 400)]
    [InlineData(12, 1500)]
    public async Task CapturedView_WritesTheImageOfItsTime_WhileTheStoreGoesOnChanging(int seed, int steps)
    {
        var store = SnapshotWorkload.Build(seed, steps);
        var expected = Image(store);
        static ReadOnlyMemory<byte>? Filter(ReadOnlySpan<byte> key, ReadOnlyMemory<byte> value) => key.Length % 2 == 0 ? null : value[..(value.Length / 2)];
        var expectedFiltered = new ArrayBufferWriter<byte>();
        store.WriteSnapshot(expectedFiltered, Filter);
        var view = store.CaptureSnapshot();
        Assert.Equal(store.Revision, view.Revision);
        Assert.Equal(store.KeyCount, view.KeyCount);

        // Written on another thread while this one puts, deletes, revokes and compacts (which shortens histories
        // and the event log in place): the view must not see any of it.
        using var started = new ManualResetEventSlim();
        var written = Task.Run(() =>
        {
            started.Set();
            var image = new ArrayBufferWriter<byte>();
            view.Write(image, null);
            return image.WrittenSpan.ToArray();
        }, TestContext.Current.CancellationToken);
        started.Wait(TestContext.Current.CancellationToken);
        var rng = new Random(seed + 7);
        for (var i = 0; i < 600; i++)
        {
            SnapshotWorkload.Step(rng, store);
        }

        Assert.NotEqual(expected, Image(store));
        Assert.Equal(expected, await written);
        var filtered = new ArrayBufferWriter<byte>();
        view.Write(filtered, Filter);
        Assert.Equal(expectedFiltered.WrittenSpan.ToArray(), filtered.WrittenSpan.ToArray());
    }

    [Fact]
    public void EmptyStore_RoundTrips()
    {
        var store = new MvccStore();
        var restored = MvccStore.ReadSnapshot(Image(store));
        AssertSameStore(store, restored);
        Assert.Equal(1, restored.Revision);
    }

    [Fact]
    public void DeleteAtTheCompactionPoint_StaysReplayable_WithOrWithoutTheKey()
    {
        // Compacting at a delete drops the tombstone (and the key, if nothing newer exists), but
        // the delete event at exactly the compaction point stays replayable.
        var store = new MvccStore();
        store.Put("gone", "1");          // 2
        store.Put("back", "1");          // 3
        store.Delete("gone");            // 4
        store.Delete("back");            // 5
        store.Put("back", "2");          // 6
        Assert.True(store.Compact(4).IsOk);
        AssertSameStore(store, MvccStore.ReadSnapshot(Image(store)));
        Assert.True(store.TryGetHistory(4, out var atFour));
        Assert.StartsWith("Delete:gone=@0/4/0 Delete:back=@0/5/0<back=1@3/3/1", atFour.Dump(), StringComparison.Ordinal);
        Assert.Empty(store.Get("gone", revision: 4).Kvs);

        store.Put("x", "y");             // 7
        Assert.True(store.Compact(5).IsOk);
        var restored = MvccStore.ReadSnapshot(Image(store));
        AssertSameStore(store, restored);
        Assert.True(restored.TryGetHistory(5, out var events));
        Assert.Equal("Delete:back=@0/5/0 Put:back=2@6/6/1 Put:x=y@7/7/1", events.Dump());
    }

    [Fact]
    public void RestoredEvents_ShareTheVersionsOfTheRestoredHistory()
    {
        var store = new MvccStore();
        store.Put("k", "1");
        store.Put("k", "2");
        var restored = MvccStore.ReadSnapshot(Image(store));
        Assert.True(restored.TryGetHistory(2, out var events));
        var current = restored.Get("k").Kvs[0];
        Assert.Same(current, events[1].Kv);
        Assert.Same(events[0].Kv, events[1].PrevKv);
    }

    [Fact]
    public void Restore_CopiesKeysAndValues_AndDoesNotKeepTheImage()
    {
        var store = new MvccStore();
        store.Put("key", "value");
        var image = Image(store);
        var restored = MvccStore.ReadSnapshot(image);
        Array.Clear(image);
        Assert.Equal("key=value@2/2/1", restored.Get("key").Kvs.Dump());
    }

    [Fact]
    public void Image_IsDeterministic_AndIndependentOfTheWriterChunking()
    {
        var store = SnapshotWorkload.Build(7, 500);
        var image = Image(store);
        Assert.Equal(image, Image(store));

        // A writer that hands out tiny spans gets the same bytes.
        var tiny = new TinySpanWriter();
        store.WriteSnapshot(tiny);
        Assert.Equal(image, tiny.Written.ToArray());
    }

    [Fact]
    public void HashKv_EqualForEqualStatesReachedDifferently()
    {
        // Same txn, ops in a different order; plus history, compaction and a snapshot round trip
        // on one side only: none of that is current state.
        var a = new MvccStore();
        a.TxnOk(new TxnRequest { Success = [OpPut("x", "1"), OpPut("y", "2", lease: 0)] });
        a.Put("z", "3");
        a.Delete("z");
        var b = new MvccStore();
        b.TxnOk(new TxnRequest { Success = [OpPut("y", "2"), OpPut("x", "1")] });
        b.Put("w", "3");
        b.Delete("w");
        Assert.True(b.Compact(b.Revision).IsOk);
        Assert.Equal(a.HashKv(), b.HashKv());
        Assert.Equal(a.HashKv(), MvccStore.ReadSnapshot(Image(b)).HashKv());

        // Leases granted in a different order.
        Assert.True(a.LeaseGrant(1, 10).IsOk);
        Assert.True(a.LeaseGrant(2, 20).IsOk);
        Assert.True(b.LeaseGrant(2, 20).IsOk);
        Assert.True(b.LeaseGrant(1, 10).IsOk);
        Assert.Equal(a.HashKv(), b.HashKv());
    }

    [Fact]
    public void HashKv_DiffersForDifferentStates()
    {
        static MvccStore Base()
        {
            var s = new MvccStore();
            Assert.True(s.LeaseGrant(5, 30).IsOk);
            s.Put("k", "v");
            s.Put("l", "w", lease: 5);
            return s;
        }

        var hashes = new HashSet<ulong> { Base().HashKv() };
        void Distinct(Action<MvccStore> change)
        {
            var s = Base();
            change(s);
            Assert.True(hashes.Add(s.HashKv()), "a different state hashed like an earlier one");
        }

        Distinct(s => s.Put("k", "x"));                                  // value (and revision)
        Distinct(s => s.Put("m", ""));                                   // an extra key
        Distinct(s => s.Delete("k"));                                    // a missing key
        Distinct(s => Assert.True(s.LeaseGrant(6, 30).IsOk));           // an extra lease, same revision
        Distinct(s => Assert.True(s.LeaseRevoke(5).IsOk));              // lease and its key gone
        Distinct(s => s.Put("k", "v", lease: 5));                        // lease of a key
        Distinct(s => { s.Delete("k"); s.Put("k", "v"); });             // create_revision and version
        Distinct(s => { s.Put("l2", "w"); s.Delete("l2"); });            // revision only

        // Field boundaries matter: "ab"+"c" is not "a"+"bc".
        var x = new MvccStore();
        x.Put("ab", "c");
        var y = new MvccStore();
        y.Put("a", "bc");
        Assert.NotEqual(x.HashKv(), y.HashKv());
    }

    [Fact]
    public void HashKv_IsStableAcrossRuns()
    {
        // Frozen: nodes of different builds compare these values. A change needs a reason.
        Assert.Equal(0xF982FC442C9A3267UL, new MvccStore().HashKv());
        Assert.Equal(0x2F99CF0FA02CA7BAUL, SnapshotGoldenTests.TinyStore().HashKv());
    }

    [Fact]
    public void Crc32C_MatchesTheCheckValue()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    /// <summary>An <see cref="IBufferWriter{T}"/> that never gives more than asked for (at least 1 byte).</summary>
    private sealed class TinySpanWriter : IBufferWriter<byte>
    {
        private readonly ArrayBufferWriter<byte> _inner = new();

        public ReadOnlySpan<byte> Written => _inner.WrittenSpan;

        public void Advance(int count) => _inner.Advance(count);

        public Memory<byte> GetMemory(int sizeHint = 0) => _inner.GetMemory(sizeHint)[..Math.Max(1, sizeHint)];

        public Span<byte> GetSpan(int sizeHint = 0) => _inner.GetSpan(sizeHint)[..Math.Max(1, sizeHint)];
    }
}
