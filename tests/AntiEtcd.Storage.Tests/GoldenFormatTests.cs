namespace AntiEtcd.Storage.Tests;

/// <summary>Freezes the on-disk byte images of docs/wal-format.md. A failure here means a format version bump, not a test fix.</summary>
/// <remarks>The expected CRCs were computed independently, with a bitwise CRC32C in Python.</remarks>
public sealed class GoldenFormatTests
{
    private const string Directory = "/golden/wal";

    [Fact]
    public void Crc32C_matches_the_standard_check_value_and_a_reference_table()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
        var data = WalTestKit.RandomPayload(7, 1000);
        for (var length = 0; length < 40; length++)
        {
            Assert.Equal(ReferenceCrc32C.Compute(data.AsSpan(0, length)), Crc32C.Compute(data.AsSpan(0, length)));
        }

        Assert.Equal(ReferenceCrc32C.Compute(data), Crc32C.Compute(data));
    }

    [Fact]
    public void Persisted_enum_values_are_frozen()
    {
        Assert.Equal(1, (byte)RecordKind.Entry);
        Assert.Equal(2, (byte)RecordKind.HardState);
        Assert.Equal(3, (byte)RecordKind.Snapshot);
        Assert.Equal(3, Enum.GetValues<RecordKind>().Length);
        Assert.Equal(1, DataDirectory.FormatVersion);
    }

    [Fact]
    public async Task Segment_header_and_records_have_the_documented_bytes()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var (wal, _) = await Wal.OpenAsync(Directory, null, fs, null, ct);
        await wal.AppendAsync(RecordKind.Entry, 1, "abc"u8.ToArray(), ct);
        await wal.AppendAsync(RecordKind.HardState, 0, new byte[] { 0xFF }, ct);
        await wal.AppendAsync(RecordKind.Snapshot, 0x0102030405060708, ReadOnlyMemory<byte>.Empty, ct);
        await wal.DisposeAsync();

        var file = fs.GetFileBytes(WalTestKit.SegmentPath(Directory, 1));
        var expected = Convert.FromHexString(
            // segment header: "AEWALSEG", version 1, reserved, sequence 1, reserved, CRC32C of bytes 0..27
            "414557414C534547" + "01000000" + "00000000" + "0100000000000000" + "00000000" + "ED470180"
            // entry 1 "abc": length 3, kind 1, reserved, index 1, CRC32C("abc"), header CRC
            + "03000000" + "01" + "000000" + "0100000000000000" + "B73F4B36" + "3A9C7CCE" + "616263"
            // hard state 0xFF: kind 2, index 0
            + "01000000" + "02" + "000000" + "0000000000000000" + "000000FF" + "DF9F0FC7" + "FF"
            // snapshot record at 0x0102030405060708, empty payload (CRC32C of nothing is 0)
            + "00000000" + "03" + "000000" + "0807060504030201" + "00000000" + "F565672B");
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(file));
        Assert.Equal(0x364B3FB7u, ReferenceCrc32C.Compute("abc"u8));
        Assert.Equal(ReferenceCrc32C.Compute(file.AsSpan(0, 28)), BitConverter.ToUInt32(file, 28));
    }

    [Fact]
    public async Task Snapshot_file_has_the_documented_bytes()
    {
        var fs = new MemoryStorageFileSystem();
        var store = SnapshotStore.Open("/golden/snap", fs);
        var info = await store.SaveAsync(5, 2, "xyz"u8.ToArray(), TestContext.Current.CancellationToken);
        Assert.Equal("/golden/snap/snap-0000000000000005-0000000000000002.snap", info.FilePath);
        var expected = Convert.FromHexString(
            "4145534E41505348" + "01000000" + "00000000" + "0500000000000000" + "0200000000000000"
            + "78797A"
            + "0300000000000000" + "85682325" + "ED9EFC66");
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(fs.GetFileBytes(info.FilePath)));
        Assert.Equal(0x25236885u, ReferenceCrc32C.Compute("xyz"u8));
    }

    [Fact]
    public void File_names_are_fixed_width_lower_case_hex()
    {
        Assert.Equal("wal-00000000000000ab.log", WalFormat.SegmentName(0xAB));
        Assert.True(WalFormat.TryParseSegmentName("wal-00000000000000ab.log", out var sequence));
        Assert.Equal(0xABul, sequence);
        Assert.False(WalFormat.TryParseSegmentName("wal-00000000000000AB.log", out _));
        Assert.False(WalFormat.TryParseSegmentName("wal-ab.log", out _));
        Assert.Equal("snap-0000000000000010-0000000000000003.snap", SnapshotFormat.FileName(16, 3));
        Assert.True(SnapshotFormat.TryParseFileName("snap-0000000000000010-0000000000000003.snap", out var index, out var term));
        Assert.Equal((16ul, 3ul), (index, term));
    }
}
