using static AntiEtcd.Storage.Tests.WalTestKit;

namespace AntiEtcd.Storage.Tests;

/// <summary>
/// The active segment's reserved space (docs/wal-format.md §4) on the real file system: appends go into zeros allocated
/// ahead, so their fsync writes the data alone; a crash leaves the zeros, which the next open cuts without a warning; a
/// clean stop and a rotation leave segments exactly as long as their records.
/// </summary>
public sealed class WalReservationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Appends_go_into_reserved_space_and_a_crash_leaves_only_zeros_behind()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "fallocate is Linux-only; elsewhere appends extend the file");
        var ct = TestContext.Current.CancellationToken;
        var dir = _temp.Combine("wal");
        var (wal, _) = await Wal.OpenAsync(dir, null, null, null, ct);
        long dataEnd = 32;
        for (ulong i = 1; i <= 50; i++)
        {
            await wal.AppendAsync(RecordKind.Entry, i, Bytes($"entry {i}"), ct);
            dataEnd += 24 + $"entry {i}".Length;
        }

        // What a kill -9 leaves: the segment as it is on disk while the WAL is open.
        var segment = SegmentPath(dir, 1);
        var size = new FileInfo(segment).Length;
        Assert.True(size > dataEnd, $"segment is {size} bytes for {dataEnd} bytes of records: nothing reserved");
        var crashed = _temp.Combine("crashed");
        Directory.CreateDirectory(crashed);
        File.Copy(segment, SegmentPath(crashed, 1));
        await wal.DisposeAsync();

        // A clean stop cuts the reservation.
        Assert.Equal(dataEnd, new FileInfo(segment).Length);
        Assert.Empty((await ReopenAsync(dir)).Warnings);

        // After the crash every record is there, the zeros are cut, and nothing is reported torn.
        await AssertZeroTailCutAsync(crashed, 50, dataEnd);
    }

    [Fact]
    public async Task Rotation_seals_segments_without_reserved_space()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = _temp.Combine("wal");
        var options = new WalOptions { SegmentSize = 4096 };
        var (wal, _) = await Wal.OpenAsync(dir, options, null, null, ct);
        for (ulong i = 1; i <= 100; i++)
        {
            await wal.AppendAsync(RecordKind.Entry, i, Enumerable.Repeat((byte)7, 100).ToArray(), ct);
        }

        var sealedSegments = Directory.GetFiles(dir, "wal-*.log").Order(StringComparer.Ordinal).SkipLast(1).ToArray();
        Assert.True(sealedSegments.Length >= 2, $"{sealedSegments.Length} sealed segments");
        foreach (var path in sealedSegments)
        {
            // Each sealed segment ends with its last record (payload bytes of 7): a zero tail there would be corruption (§3).
            var bytes = await File.ReadAllBytesAsync(path, ct);
            Assert.NotEqual(0, bytes[^1]);
        }

        await wal.DisposeAsync();
        var recovery = await ReopenAsync(dir, options: options);
        Assert.Empty(recovery.Warnings);
        Assert.Equal(100ul, recovery.LastIndex);
    }
}
