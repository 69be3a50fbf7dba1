using AntiEtcd.Api;
using static AntiEtcd.Mvcc.Tests.Kv;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>SPEC §2.5, §4.5 and the history side of §7.4.</summary>
public sealed class CompactionTests
{
    private static MvccStore Sample()
    {
        var store = new MvccStore();
        store.Put("a", "1");  // 2
        store.Put("a", "2");  // 3
        store.Put("b", "1");  // 4
        store.Delete("b");    // 5
        store.Put("a", "3");  // 6
        store.Put("c", "1");  // 7
        return store;
    }

    [Fact]
    public void RevisionAtOrBelowCompactPoint_IsCompacted_IncludingZero()
    {
        var store = Sample();
        Assert.Equal(MvccStatus.Compacted, store.Compact(0).Status);
        Assert.True(store.Compact(3).IsOk);
        Assert.Equal(MvccStatus.Compacted, store.Compact(3).Status);
        Assert.Equal(MvccStatus.Compacted, store.Compact(2).Status);
        Assert.Equal(MvccStatus.Compacted, store.Compact(-1).Status);
    }

    [Fact]
    public void FutureRevision_IsRefused_CurrentIsAllowed()
    {
        var store = Sample();
        Assert.Equal(MvccStatus.FutureRevision, store.Compact(8).Status);
        var response = store.Compact(7);
        Assert.True(response.IsOk);
        Assert.Equal(7, response.Response!.Header.Revision);
        Assert.Equal(7, store.CompactRevision);
    }

    [Fact]
    public void Compaction_TakesNoRevision_AndHasNoEvents()
    {
        var store = Sample();
        store.Compact(4);
        Assert.Equal(7, store.Revision);
        Assert.Empty(store.LastEvents);
    }

    [Fact]
    public void ReadsAtAndAfterCompactPoint_StillWork()
    {
        var store = Sample();
        var before = Enumerable.Range(4, 4).Select(rev => store.All(rev).Kvs.Dump()).ToList();
        store.Compact(4);
        store.CheckConsistency();
        Assert.Equal(before, Enumerable.Range(4, 4).Select(rev => store.All(rev).Kvs.Dump()).ToList());
        Assert.Equal(MvccStatus.Compacted, store.Range(new RangeRequest { Key = B("a"), Revision = 3 }).Status);
        Assert.Equal("a=2@2/3/2 b=1@4/4/1", store.All(4).Kvs.Dump());
    }

    [Fact]
    public void Compaction_DropsDeletedKeysAndOldVersions()
    {
        var store = Sample();
        var size = store.EstimatedSizeBytes;
        store.Compact(7);
        store.CheckConsistency();
        Assert.True(store.EstimatedSizeBytes < size);
        Assert.Equal(4, store.EstimatedSizeBytes); // a=3 and c=1
        Assert.Equal(2, store.KeyCount);
        Assert.Equal("a=3@2/6/3 c=1@7/7/1", store.All(7).Kvs.Dump());
    }

    [Fact]
    public void DeletedAndRecreatedKey_AfterCompactionBetween()
    {
        var store = new MvccStore();
        store.Put("k", "a"); // 2
        store.Delete("k");   // 3
        store.Put("x", "1"); // 4
        store.Put("k", "b"); // 5
        store.Compact(4);
        store.CheckConsistency();
        Assert.Empty(store.Get("k", revision: 4).Kvs);
        Assert.Equal("k=b@5/5/1", store.Get("k").Kvs.Dump());
        store.Compact(5);
        store.CheckConsistency();
        Assert.Equal("k=b@5/5/1", store.Get("k", revision: 5).Kvs.Dump());
    }

    [Fact]
    public void History_FromCompactPointIsReplayable_OlderIsNot()
    {
        var store = Sample();
        Assert.True(store.TryGetHistory(0, out var all));
        Assert.Equal(6, all.Count);
        store.Compact(5);
        Assert.False(store.TryGetHistory(4, out var none));
        Assert.Empty(none);
        Assert.True(store.TryGetHistory(5, out var events));
        Assert.Equal("Delete:b=@0/5/0 Put:a=3@2/6/3<a=2@2/3/2 Put:c=1@7/7/1", events.Dump());
    }

    [Fact]
    public void History_EventsAtTheCompactPoint_LosePrevKv()
    {
        var store = Sample();
        store.Compact(6);
        Assert.True(store.TryGetHistory(6, out var events));
        Assert.Equal("Put:a=3@2/6/3 Put:c=1@7/7/1", events.Dump());
    }

    [Fact]
    public void History_IsEveryIntermediateEvent_InOrder()
    {
        var store = Sample();
        Assert.True(store.TryGetHistory(3, out var events));
        Assert.Equal(
            "Put:a=2@2/3/2<a=1@2/2/1 Put:b=1@4/4/1 Delete:b=@0/5/0<b=1@4/4/1 Put:a=3@2/6/3<a=2@2/3/2 Put:c=1@7/7/1",
            events.Dump());
        Assert.True(store.TryGetHistory(8, out var future));
        Assert.Empty(future);
    }

    [Fact]
    public void History_ReplaysTheEventsOfLastEvents()
    {
        // The log keeps a compact form (LoggedEvent): replay makes equal events, and shares the
        // versions the store holds as objects (a key with history).
        var store = Sample();
        store.Put("z", "1");
        var created = Assert.Single(store.LastEvents);
        Assert.True(store.TryGetHistory(8, out var events));
        Assert.Equal(new[] { created }.Dump(), events.Dump());
        store.Put("z", "2");
        var changed = Assert.Single(store.LastEvents);
        Assert.True(store.TryGetHistory(9, out var later));
        Assert.Same(changed.Kv, Assert.Single(later).Kv);
        Assert.Same(changed.PrevKv, later[0].PrevKv);
    }

    [Fact]
    public void History_Bounded_StopsAtARevisionBoundary()
    {
        var store = new MvccStore();
        store.Put("a", "1");                               // 2
        store.TxnOk(new TxnRequest { Success = [OpPut("b", "1"), OpPut("c", "1"), OpPut("d", "1")] }); // 3
        store.Put("e", "1");                               // 4
        Assert.True(store.TryGetHistory(2, 2, out var first));
        Assert.Equal("a,b,c,d", first.Select(e => e.Kv).Keys());
        Assert.True(store.TryGetHistory(4, 2, out var rest));
        Assert.Equal("e", rest.Select(e => e.Kv).Keys());
    }

    [Fact]
    public void RepeatedCompactions_KeepTheStoreConsistent()
    {
        var store = new MvccStore();
        for (var i = 0; i < 3000; i++)
        {
            store.Put($"k{i % 37}", $"v{i}");
            if (i % 5 == 0)
            {
                store.Delete($"k{(i * 7) % 37}");
            }

            if (i % 100 == 99)
            {
                Assert.True(store.Compact(store.Revision - 50).IsOk);
                store.CheckConsistency();
            }
        }

        Assert.True(store.TryGetHistory(store.CompactRevision, out var events));
        Assert.Equal(store.Revision, events[^1].Kv.ModRevision);
    }
}
