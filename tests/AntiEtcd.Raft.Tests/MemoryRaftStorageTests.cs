using static AntiEtcd.Raft.Tests.TestKit.Harness;

namespace AntiEtcd.Raft.Tests;

public sealed class MemoryRaftStorageTests
{
    [Fact]
    public void EmptyStorageHasEmptyLog()
    {
        var s = new MemoryRaftStorage(Ids(3));
        Assert.Equal(1UL, s.FirstIndex);
        Assert.Equal(0UL, s.LastIndex);
        Assert.Equal(0UL, s.Term(0));
        Assert.True(s.InitialState().IsEmpty);
    }

    [Fact]
    public void AppendReplacesConflictingSuffix()
    {
        var s = Storage(3, [1, 1, 2, 2]);
        s.Append([new Entry(3, 3, EntryType.Normal, new byte[] { 7 })]);
        Assert.Equal(3UL, s.LastIndex);
        Assert.Equal(3UL, s.Term(3));
        Assert.Throws<InvalidOperationException>(() => s.Append([new Entry(3, 5, EntryType.Normal, default)]));
    }

    [Fact]
    public void EntriesRespectMaxSizeButReturnAtLeastOne()
    {
        var s = Storage(3, [1, 1, 1, 1]);
        Assert.Single(s.Entries(1, 5, 1));
        Assert.Equal(2, s.Entries(1, 5, 50).Count);
        Assert.Equal(4, s.Entries(1, 5, ulong.MaxValue).Count);
    }

    [Fact]
    public void SnapshotAndCompaction()
    {
        var s = Storage(3, [1, 1, 2, 2, 3]);
        var snap = s.CreateSnapshot(4, new byte[] { 1, 2 });
        Assert.Equal((4UL, 2UL), (snap.Index, snap.Term));
        s.Compact(3);
        Assert.Equal(4UL, s.FirstIndex);
        Assert.Equal(2UL, s.Term(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Entries(3, 5, ulong.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Compact(5)); // beyond the snapshot
        Assert.Equal(5UL, s.LastIndex);
    }

    [Fact]
    public void ApplySnapshotReplacesLog()
    {
        var s = Storage(3, [1, 1]);
        s.ApplySnapshot(new Snapshot(new SnapshotMetadata(10, 4, Ids(3)), new byte[] { 9 }));
        Assert.Equal(11UL, s.FirstIndex);
        Assert.Equal(10UL, s.LastIndex);
        Assert.Equal(4UL, s.Term(10));
        s.Append([new Entry(4, 11, EntryType.Normal, default)]);
        Assert.Equal(11UL, s.LastIndex);
    }
}
