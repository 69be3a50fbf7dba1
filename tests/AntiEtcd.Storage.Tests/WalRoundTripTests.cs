using static AntiEtcd.Storage.Tests.WalTestKit;

namespace AntiEtcd.Storage.Tests;

public sealed class WalRoundTripTests
{
    private const string Dir = "/data/wal";

    [Fact]
    public async Task Empty_wal_is_created_with_one_segment_and_reads_back_empty()
    {
        var fs = new MemoryStorageFileSystem();
        var recovery = await ReopenAsync(Dir, fs);
        Assert.Empty(recovery.Records);
        Assert.Empty(recovery.Entries);
        Assert.Null(recovery.HardState);
        Assert.Equal(1ul, recovery.FirstIndex);
        Assert.Equal(0ul, recovery.LastIndex);
        Assert.Equal(["wal-0000000000000001.log"], fs.ListFiles(Dir));

        recovery = await ReopenAsync(Dir, fs);
        Assert.Empty(recovery.Records);
        Assert.Null(recovery.TornTail);
    }

    [Fact]
    public async Task Entries_and_hard_state_round_trip_on_the_real_file_system()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory();
        var dir = temp.Combine("wal");
        var (wal, _) = await Wal.OpenAsync(dir, null, null, null, ct);
        for (ulong i = 1; i <= 5; i++)
        {
            wal.Append(RecordKind.Entry, i, Bytes($"e{i}"));
        }

        var last = wal.Append(RecordKind.HardState, 0, Bytes("term=3"));
        Assert.Equal(6, last);
        await wal.WaitAsync(last, ct);
        await wal.DisposeAsync();

        var recovery = await ReopenAsync(dir);
        Assert.Equal(["1:e1", "2:e2", "3:e3", "4:e4", "5:e5"], EntryTexts(recovery));
        Assert.Equal("term=3", Text(recovery.HardState!.Value.Payload));
        Assert.Equal(6, recovery.Records.Count);
        Assert.Equal((1ul, 5ul), (recovery.FirstIndex, recovery.LastIndex));
        Assert.Empty(recovery.Warnings);
    }

    [Fact]
    public async Task Synchronous_open_recovers_what_OpenAsync_recovers()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var (wal, _) = Wal.Open(Dir, null, fs, null);
        for (ulong i = 1; i <= 3; i++)
        {
            wal.Append(RecordKind.Entry, i, Bytes($"e{i}"));
        }

        await wal.WaitAsync(wal.Append(RecordKind.HardState, 0, Bytes("term=1")), ct);
        await wal.DisposeAsync();

        var (reopened, recovery) = Wal.Open(Dir, null, fs, null);
        await reopened.DisposeAsync();
        Assert.Equal(["1:e1", "2:e2", "3:e3"], EntryTexts(recovery));
        Assert.Equal(EntryTexts(await ReopenAsync(Dir, fs)), EntryTexts(recovery));
        Assert.Throws<ArgumentException>(() => Wal.Open("", null, fs, null));
    }

    [Fact]
    public async Task An_entry_at_an_existing_index_replaces_it_and_everything_after()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var (wal, _) = await Wal.OpenAsync(Dir, null, fs, null, ct);
        for (ulong i = 1; i <= 5; i++)
        {
            wal.Append(RecordKind.Entry, i, Bytes($"old{i}"));
        }

        wal.Append(RecordKind.Entry, 3, Bytes("new3"));
        await wal.AppendAsync(RecordKind.Entry, 4, Bytes("new4"), ct);
        await wal.DisposeAsync();

        var recovery = await ReopenAsync(Dir, fs);
        Assert.Equal(["1:old1", "2:old2", "3:new3", "4:new4"], EntryTexts(recovery));
        Assert.Equal(7, recovery.Records.Count);
    }

    [Fact]
    public async Task Snapshot_records_drop_covered_entries_and_allow_a_jump()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var (wal, _) = await Wal.OpenAsync(Dir, null, fs, null, ct);
        for (ulong i = 1; i <= 5; i++)
        {
            wal.Append(RecordKind.Entry, i, Bytes($"e{i}"));
        }

        wal.Append(RecordKind.Snapshot, 3, Bytes("t1"));
        await wal.AppendAsync(RecordKind.Entry, 6, Bytes("e6"), ct);
        await wal.DisposeAsync();

        var recovery = await ReopenAsync(Dir, fs);
        Assert.Equal(["4:e4", "5:e5", "6:e6"], EntryTexts(recovery));
        Assert.Equal(4ul, recovery.FirstIndex);
        Assert.Equal(3ul, recovery.Snapshot!.Value.Index);

        // A follower installing a snapshot far ahead of its log: the log restarts after it.
        (wal, _) = await Wal.OpenAsync(Dir, null, fs, null, ct);
        wal.Append(RecordKind.Snapshot, 100, Bytes("t2"));
        Assert.Throws<ArgumentOutOfRangeException>(() => wal.Append(RecordKind.Entry, 102, Bytes("gap")));
        Assert.Throws<ArgumentOutOfRangeException>(() => wal.Append(RecordKind.Entry, 100, Bytes("covered")));
        await wal.AppendAsync(RecordKind.Entry, 101, Bytes("e101"), ct);
        await wal.DisposeAsync();

        recovery = await ReopenAsync(Dir, fs);
        Assert.Equal(["101:e101"], EntryTexts(recovery));
        Assert.Equal(101ul, recovery.FirstIndex);
    }

    [Fact]
    public async Task Append_refuses_what_could_not_be_read_back()
    {
        var ct = TestContext.Current.CancellationToken;
        var (wal, _) = await Wal.OpenAsync(Dir, null, new MemoryStorageFileSystem(), null, ct);
        wal.Append(RecordKind.Entry, 1, Bytes("e1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => wal.Append(RecordKind.Entry, 3, Bytes("gap")));
        Assert.Throws<ArgumentOutOfRangeException>(() => wal.Append(RecordKind.Entry, 0, Bytes("zero")));
        Assert.Throws<ArgumentOutOfRangeException>(() => wal.Append(RecordKind.Snapshot, 0, Bytes("zero")));
        Assert.Throws<ArgumentOutOfRangeException>(() => wal.Append((RecordKind)9, 2, Bytes("kind")));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = wal.WaitAsync(5, ct); });
        Assert.Equal(1, wal.LastSequence);
        await wal.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => wal.Append(RecordKind.Entry, 2, Bytes("late")));
        Assert.Null(await wal.Failed);
    }

    [Fact]
    public async Task Segments_rotate_carry_the_hard_state_and_are_released_below_a_snapshot()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var options = new WalOptions { SegmentSize = 200 };
        var (wal, _) = await Wal.OpenAsync(Dir, options, fs, null, ct);
        await wal.AppendAsync(RecordKind.HardState, 0, Bytes("vote=a"), ct);
        for (ulong i = 1; i <= 20; i++)
        {
            // One batch per entry: 24 + 40 bytes each, so a segment closes after about three.
            await wal.AppendAsync(RecordKind.Entry, i, new byte[40], ct);
        }

        var segments = fs.ListFiles(Dir);
        Assert.True(segments.Count >= 5, $"{segments.Count} segments");

        wal.Append(RecordKind.Snapshot, 15, Bytes("t"));
        await wal.ReleaseBeforeAsync(16, ct);
        var remaining = fs.ListFiles(Dir);
        Assert.True(remaining.Count < segments.Count);
        Assert.Contains(segments[^1], remaining);
        await wal.AppendAsync(RecordKind.Entry, 21, new byte[40], ct);
        await wal.DisposeAsync();

        var recovery = await ReopenAsync(Dir, fs, options);
        Assert.Equal("vote=a", Text(recovery.HardState!.Value.Payload));
        Assert.Equal(21ul, recovery.LastIndex);
        Assert.True(recovery.FirstIndex <= 16, $"first index {recovery.FirstIndex}");
        for (var i = 1; i < recovery.Entries.Count; i++)
        {
            Assert.Equal(recovery.Entries[i - 1].Index + 1, recovery.Entries[i].Index);
        }
    }

    [Fact]
    public async Task Release_never_deletes_a_segment_still_holding_needed_entries()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var options = new WalOptions { SegmentSize = 100 };
        var (wal, _) = await Wal.OpenAsync(Dir, options, fs, null, ct);
        for (ulong i = 1; i <= 6; i++)
        {
            await wal.AppendAsync(RecordKind.Entry, i, new byte[40], ct);
        }

        await wal.ReleaseBeforeAsync(1, ct);
        var before = fs.ListFiles(Dir).Count;
        await wal.ReleaseBeforeAsync(1, ct);
        Assert.Equal(before, fs.ListFiles(Dir).Count);
        await wal.ReleaseBeforeAsync(100, ct); // everything is below, but the active segment stays
        Assert.Single(fs.ListFiles(Dir));
        await wal.DisposeAsync();
    }
}
