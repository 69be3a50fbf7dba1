using static AntiEtcd.Storage.Tests.WalTestKit;

namespace AntiEtcd.Storage.Tests;

/// <summary>Crafted damage at the end and in the middle of segments (docs/wal-format.md §3), on the real file system.</summary>
public sealed class WalTornTailTests : IDisposable
{
    private const int Header = 32;
    private const int RecordHeader = 24;
    private readonly TempDirectory _temp = new();
    private readonly string _dir;
    private readonly string _segment;

    public WalTornTailTests()
    {
        _dir = _temp.Combine("wal");
        _segment = SegmentPath(_dir, 1);
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>Writes entries 1..3 with payloads of 100, 2000 and 100 random nonzero bytes.</summary>
    private async Task<long[]> WriteThreeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var (wal, _) = await Wal.OpenAsync(_dir, null, null, null, ct);
        var sizes = new[] { 100, 2000, 100 };
        var offsets = new long[sizes.Length + 1];
        offsets[0] = Header;
        for (var i = 0; i < sizes.Length; i++)
        {
            await wal.AppendAsync(RecordKind.Entry, (ulong)i + 1, RandomPayload(i, sizes[i]), ct);
            offsets[i + 1] = offsets[i] + RecordHeader + sizes[i];
        }

        await wal.DisposeAsync();
        Assert.Equal(offsets[^1], new FileInfo(_segment).Length);
        return offsets;
    }

    private async Task AssertRepairedAsync(long validLength, int entries, string reason)
    {
        var damagedLength = new FileInfo(_segment).Length;
        var ct = TestContext.Current.CancellationToken;
        var (wal, recovery) = await Wal.OpenAsync(_dir, null, null, null, ct);
        Assert.Equal(entries, recovery.Entries.Count);
        Assert.NotNull(recovery.TornTail);
        Assert.Equal(validLength, recovery.TornTail.Offset);
        Assert.Equal(damagedLength - validLength, recovery.TornTail.TruncatedBytes);
        Assert.Equal(reason, recovery.TornTail.Reason);
        var warning = Assert.Single(recovery.Warnings);
        Assert.Equal($"wal: {_segment}: torn record at offset {validLength} ({reason}); truncated {damagedLength - validLength} bytes", warning);
        Assert.Equal(validLength, new FileInfo(_segment).Length);

        // The repaired WAL takes appends and reads back cleanly.
        await wal.AppendAsync(RecordKind.Entry, (ulong)entries + 1, Bytes("after"), ct);
        await wal.DisposeAsync();
        var again = await ReopenAsync(_dir);
        Assert.Empty(again.Warnings);
        Assert.Equal(entries + 1, again.Entries.Count);
        Assert.Equal("after", Text(again.Entries[^1].Payload));
    }

    private static void AppendBytes(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.Append);
        stream.Write(bytes);
    }

    private static void Patch(string path, long offset, Func<byte, byte> change)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] = change(bytes[offset]);
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public async Task Partial_header_is_truncated()
    {
        var offsets = await WriteThreeAsync();
        AppendBytes(_segment, [7, 0, 0, 0, 1, 0, 0, 0, 9, 9]);
        await AssertRepairedAsync(offsets[3], 3, "partial record header");
    }

    [Fact]
    public async Task Partial_payload_is_truncated()
    {
        var offsets = await WriteThreeAsync();
        using (var stream = new FileStream(_segment, FileMode.Open))
        {
            stream.SetLength(offsets[3] - 30);
        }

        await AssertRepairedAsync(offsets[2], 2, "partial record payload");
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(5)]
    public async Task Zero_filled_tail_is_cut_without_a_warning(int zeros)
    {
        // Reserved space a crash left (docs/wal-format.md §3): it held no record, so nothing was torn.
        var offsets = await WriteThreeAsync();
        AppendBytes(_segment, new byte[zeros]);
        await AssertZeroTailCutAsync(_dir, 3, offsets[3]);
    }

    [Fact]
    public async Task Crc_mismatch_in_the_last_record_is_truncated()
    {
        var offsets = await WriteThreeAsync();
        Patch(_segment, offsets[3] - 1, b => (byte)(b ^ 0x40));
        await AssertRepairedAsync(offsets[2], 2, "payload CRC mismatch in the last record");
    }

    [Fact]
    public async Task Never_written_sector_inside_a_record_is_a_torn_write()
    {
        var offsets = await WriteThreeAsync();
        var bytes = await File.ReadAllBytesAsync(_segment, TestContext.Current.CancellationToken);
        var sector = (offsets[1] + RecordHeader + 511) / 512 * 512; // the first whole sector inside record 2's payload
        Assert.True(sector + 512 <= offsets[2]);
        Array.Clear(bytes, (int)sector, 512);
        await File.WriteAllBytesAsync(_segment, bytes, TestContext.Current.CancellationToken);
        await AssertRepairedAsync(offsets[1], 1, "torn write in a record payload");
    }

    [Fact]
    public async Task Flipped_payload_byte_in_the_middle_is_corruption_naming_file_and_offset()
    {
        var offsets = await WriteThreeAsync();
        Patch(_segment, offsets[1] + RecordHeader + 500, b => (byte)(b ^ 0x01));
        var ex = await Assert.ThrowsAsync<StorageCorruptException>(() => ReopenAsync(_dir));
        Assert.Equal($"{_segment}: offset {offsets[1]}: payload CRC mismatch", ex.Message);
        Assert.Equal(_segment, ex.FilePath);
        Assert.Equal(offsets[1], ex.Offset);
        Assert.Equal(offsets[3], new FileInfo(_segment).Length); // nothing was cut
    }

    [Fact]
    public async Task Flipped_header_byte_in_the_middle_is_corruption()
    {
        var offsets = await WriteThreeAsync();
        Patch(_segment, offsets[1] + 9, b => (byte)(b ^ 0x01)); // inside the index
        var ex = await Assert.ThrowsAsync<StorageCorruptException>(() => ReopenAsync(_dir));
        Assert.Equal($"{_segment}: offset {offsets[1]}: record header CRC mismatch", ex.Message);
    }

    [Fact]
    public async Task Bad_segment_header_is_corruption()
    {
        await WriteThreeAsync();
        Patch(_segment, 3, b => (byte)'X');
        var ex = await Assert.ThrowsAsync<StorageCorruptException>(() => ReopenAsync(_dir));
        Assert.Equal($"{_segment}: offset 0: not a WAL segment (bad magic)", ex.Message);
    }

    [Fact]
    public async Task Damage_in_an_older_segment_is_corruption_even_at_its_end()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new WalOptions { SegmentSize = 100 };
        var (wal, _) = await Wal.OpenAsync(_dir, options, null, null, ct);
        for (ulong i = 1; i <= 6; i++)
        {
            await wal.AppendAsync(RecordKind.Entry, i, RandomPayload((int)i, 50), ct);
        }

        await wal.DisposeAsync();
        var first = SegmentPath(_dir, 1);
        var length = new FileInfo(first).Length;
        using (var stream = new FileStream(first, FileMode.Open))
        {
            stream.SetLength(length - 10);
        }

        var ex = await Assert.ThrowsAsync<StorageCorruptException>(() => ReopenAsync(_dir, null, options));
        Assert.Equal($"{first}: offset {length - 10 - 50 - RecordHeader + 10}: partial record payload in a segment that is not the newest", ex.Message);
    }

    [Fact]
    public async Task A_missing_segment_in_the_middle_is_corruption()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new WalOptions { SegmentSize = 100 };
        var (wal, _) = await Wal.OpenAsync(_dir, options, null, null, ct);
        for (ulong i = 1; i <= 6; i++)
        {
            await wal.AppendAsync(RecordKind.Entry, i, RandomPayload((int)i, 50), ct);
        }

        await wal.DisposeAsync();
        File.Delete(SegmentPath(_dir, 2));
        var ex = await Assert.ThrowsAsync<StorageCorruptException>(() => ReopenAsync(_dir, null, options));
        Assert.Equal($"{SegmentPath(_dir, 3)}: offset 0: segment wal-0000000000000002.log is missing", ex.Message);
    }

    [Fact]
    public async Task Leftover_temporary_segment_is_deleted()
    {
        await WriteThreeAsync();
        var temp = SegmentPath(_dir, 2) + ".tmp";
        await File.WriteAllBytesAsync(temp, [1, 2, 3], TestContext.Current.CancellationToken);
        var recovery = await ReopenAsync(_dir);
        Assert.False(File.Exists(temp));
        Assert.Equal(3, recovery.Entries.Count);
        Assert.Empty(recovery.Warnings);
    }
}
