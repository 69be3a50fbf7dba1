using System.Buffers;
using static AntiEtcd.Storage.Tests.WalTestKit;

namespace AntiEtcd.Storage.Tests;

public sealed class SnapshotStoreTests
{
    private const string Dir = "/data/snap";

    [Fact]
    public async Task Save_and_load_round_trip_on_the_real_file_system()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory();
        var store = SnapshotStore.Open(temp.Combine("snap"));
        var data = RandomPayload(3, 100_000);
        var info = await store.SaveAsync(42, 7, data, ct);
        Assert.Equal(temp.Combine("snap", "snap-000000000000002a-0000000000000007.snap"), info.FilePath);

        var loaded = SnapshotStore.Open(temp.Combine("snap")).LoadNewestValid();
        Assert.Empty(loaded.Warnings);
        Assert.Equal((42ul, 7ul), (loaded.Snapshot!.Index, loaded.Snapshot.Term));
        Assert.True(loaded.Snapshot.Data.Span.SequenceEqual(data));
    }

    /// <summary>A random payload saved with the bytes overload as snapshot (9, 2) under /a, for the other overloads to match.</summary>
    private static async Task<(MemoryStorageFileSystem Fs, byte[] Data, SnapshotInfo FromBytes)> SavedAsBytesAsync(int seed, int size, CancellationToken ct)
    {
        var fs = new MemoryStorageFileSystem();
        var data = RandomPayload(seed, size);
        return (fs, data, await SnapshotStore.Open("/a", fs).SaveAsync(9, 2, data, ct));
    }

    [Fact]
    public async Task Stream_save_matches_the_bytes_save()
    {
        var ct = TestContext.Current.CancellationToken;
        var (fs, data, fromBytes) = await SavedAsBytesAsync(4, 300_000, ct);
        using var stream = new MemoryStream(data);
        var fromStream = await SnapshotStore.Open("/b", fs).SaveAsync(9, 2, stream, ct);
        Assert.Equal(fs.GetFileBytes(fromBytes.FilePath), fs.GetFileBytes(fromStream.FilePath));
    }

    [Fact]
    public async Task Writer_save_matches_the_bytes_save_whatever_the_writer_asks_for()
    {
        var ct = TestContext.Current.CancellationToken;
        var (fs, data, fromBytes) = await SavedAsBytesAsync(5, 1_500_000, ct);

        // Pieces of every size, some larger than the sink's buffer, some asking for more than they use.
        var fromWriter = await SnapshotStore.Open("/b", fs).SaveAsync(9, 2, output =>
        {
            var rng = new Random(5);
            var rest = data.AsSpan();
            while (!rest.IsEmpty)
            {
                var hint = rng.Next(0, 600_000);
                var span = output.GetSpan(hint);
                Assert.True(span.Length >= Math.Max(1, hint));
                var n = Math.Min(rest.Length, Math.Min(span.Length, rng.Next(1, hint + 2)));
                rest[..n].CopyTo(span);
                output.Advance(n);
                rest = rest[n..];
            }
        }, ct);
        Assert.Equal(fs.GetFileBytes(fromBytes.FilePath), fs.GetFileBytes(fromWriter.FilePath));
        var loaded = SnapshotStore.Open("/b", fs).LoadNewestValid();
        Assert.True(loaded.Snapshot!.Data.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task A_writer_that_fails_leaves_no_file_and_its_exception_propagates()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var store = SnapshotStore.Open(Dir, fs);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => store.SaveAsync(10, 1, output =>
        {
            output.GetSpan(100_000)[..100_000].Fill(7);
            output.Advance(100_000);
            output.GetSpan(400_000);
            output.Advance(400_000);
            throw new InvalidDataException("bad state");
        }, ct));
        Assert.Equal("bad state", ex.Message);
        Assert.Empty(fs.ListFiles(Dir));

        // And the store takes the next save.
        await store.SaveAsync(11, 1, output => output.Write("ok"u8), ct);
        Assert.Equal("ok", Text(SnapshotStore.Open(Dir, fs).LoadNewestValid().Snapshot!.Data));
    }

    [Fact]
    public async Task A_file_write_failure_in_a_writer_save_fails_it_and_leaves_no_temporary_file()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var store = SnapshotStore.Open(Dir, fs);
        var eio = new IOException("Input/output error", 5);
        var data = RandomPayload(6, 1_000_000);
        var ex = await Assert.ThrowsAsync<StorageFailedException>(() => store.SaveAsync(10, 1, output =>
        {
            // The header is written; the first buffer that reaches the file fails.
            fs.WriteError = eio;
            output.Write(data);
        }, ct));
        Assert.Same(eio, ex.InnerException);
        Assert.Empty(fs.ListFiles(Dir));
    }

    [Fact]
    public void Open_deletes_temporary_files_of_an_interrupted_save()
    {
        var fs = new MemoryStorageFileSystem();
        fs.SetFileBytes($"{Dir}/snap-0000000000000005-0000000000000001.snap.tmp", [1, 2, 3]);
        var store = SnapshotStore.Open(Dir, fs);
        Assert.Empty(fs.ListFiles(Dir));
        Assert.Null(store.LoadNewestValid().Snapshot);
    }

    [Fact]
    public async Task A_newer_save_removes_older_snapshots_after_it_is_durable()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var store = SnapshotStore.Open(Dir, fs);
        await store.SaveAsync(10, 1, Bytes("a"), ct);
        await store.SaveAsync(20, 1, Bytes("b"), ct);
        await store.SaveAsync(30, 2, Bytes("c"), ct);
        Assert.Equal(["snap-000000000000001e-0000000000000002.snap"], fs.ListFiles(Dir));

        var keepTwo = SnapshotStore.Open(Dir, fs, retain: 2);
        await keepTwo.SaveAsync(40, 2, Bytes("d"), ct);
        Assert.Equal([40ul, 30ul], keepTwo.List().Select(s => s.Index));
    }

    [Theory]
    [InlineData("magic", "not a snapshot (bad magic)")]
    [InlineData("crc", "header or footer CRC mismatch")]
    [InlineData("version", "snapshot format version 2 is not supported (this antietcd supports 1)")]
    [InlineData("index", "the header's index and term differ from the file name")]
    [InlineData("term", "the header's index and term differ from the file name")]
    [InlineData("length", "data length 7 does not match the file size")]
    public async Task Load_skips_a_snapshot_whose_header_or_footer_is_wrong_with_the_reason(string damage, string reason)
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var store = SnapshotStore.Open(Dir, fs, retain: 2);
        await store.SaveAsync(20, 1, Bytes("twenty"), ct);
        var newest = await store.SaveAsync(30, 1, Bytes("thirty"), ct);
        var bytes = fs.GetFileBytes(newest.FilePath);
        var header = bytes.AsSpan(0, 32);
        var footer = bytes.AsSpan(bytes.Length - 16);
        switch (damage)
        {
            case "magic": header[0] = (byte)'X'; break;
            case "crc": header[12] ^= 0x01; break;
            case "version": System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header[8..], 2); break;
            case "index": System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(header[16..], 31); break;
            case "term": System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(header[24..], 2); break;
            default: System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(footer, 7); break;
        }

        if (damage is not ("magic" or "crc"))
        {
            // A consistent file of another kind, not a damaged one: the header and footer CRC is made to match again.
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(footer[12..], ReferenceCrc32C.Compute([.. header, .. footer[..12]]));
        }

        fs.SetFileBytes(newest.FilePath, bytes);
        var result = store.LoadNewestValid();
        Assert.Equal(20ul, result.Snapshot!.Index);
        Assert.Equal("twenty", Text(result.Snapshot.Data));
        Assert.Equal([$"snapshot: {newest.FilePath}: skipped, {reason}"], result.Warnings);
    }

    [Fact]
    public async Task Load_skips_damaged_and_rejected_snapshots_newest_first()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var store = SnapshotStore.Open(Dir, fs, retain: 3);
        await store.SaveAsync(10, 1, Bytes("ten"), ct);
        await store.SaveAsync(20, 1, Bytes("twenty"), ct);
        var newest = await store.SaveAsync(30, 1, Bytes("thirty"), ct);
        var bytes = fs.GetFileBytes(newest.FilePath);
        bytes[33] ^= 0x01; // inside the data
        fs.SetFileBytes(newest.FilePath, bytes);

        var result = store.LoadNewestValid(s => s.Index <= 25);
        Assert.Equal("twenty", Text(result.Snapshot!.Data));
        Assert.Equal([$"snapshot: {newest.FilePath}: skipped, the WAL does not continue from index 30"], result.Warnings);

        result = store.LoadNewestValid();
        Assert.Equal(20ul, result.Snapshot!.Index);
        Assert.Equal([$"snapshot: {newest.FilePath}: skipped, data CRC mismatch"], result.Warnings);

        fs.SetFileBytes(newest.FilePath, bytes.AsSpan(0, 20)); // truncated
        Assert.Equal($"snapshot: {newest.FilePath}: skipped, too short (20 bytes)", store.LoadNewestValid().Warnings.Single());
    }

    [Fact]
    public async Task A_crash_before_the_directory_fsync_keeps_the_previous_snapshot()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var failpoints = new CrashAt(FailpointNames.AfterSnapshotRename);
        var store = SnapshotStore.Open(Dir, fs, failpoints);
        await store.SaveAsync(10, 1, Bytes("old"), ct);
        failpoints.Armed = true;
        await Assert.ThrowsAsync<StorageFailedException>(() => store.SaveAsync(20, 1, Bytes("new"), ct));
        fs.Crash();

        var loaded = SnapshotStore.Open(Dir, fs).LoadNewestValid();
        Assert.Equal("old", Text(loaded.Snapshot!.Data));
    }

    [Fact]
    public async Task Fsync_failure_fails_the_save_and_leaves_no_temporary_file()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var store = SnapshotStore.Open(Dir, fs);
        var eio = new IOException("Input/output error", 5);
        fs.SyncError = eio;
        var ex = await Assert.ThrowsAsync<StorageFailedException>(() => store.SaveAsync(10, 1, Bytes("x"), ct));
        Assert.Same(eio, ex.InnerException);
        Assert.Empty(fs.ListFiles(Dir));
    }

    [Fact]
    public async Task Failpoint_before_save_runs_first()
    {
        var fs = new MemoryStorageFileSystem();
        var failpoints = new CrashAt(FailpointNames.BeforeSnapshotSave) { Armed = true };
        var store = SnapshotStore.Open(Dir, fs, failpoints);
        await Assert.ThrowsAsync<StorageFailedException>(() => store.SaveAsync(10, 1, Bytes("x"), TestContext.Current.CancellationToken));
        Assert.Empty(fs.ListFiles(Dir));
    }

    private sealed class CrashAt(string name) : IFailpoints
    {
        public bool Armed { get; set; }

        public void Hit(string name1)
        {
            if (Armed && name1 == name)
            {
                throw new InvalidOperationException($"crash at {name}");
            }
        }
    }
}
