using System.Buffers.Binary;
using static AntiEtcd.Storage.Tests.WalTestKit;

namespace AntiEtcd.Storage.Tests;

/// <summary>
/// Damage that no crash can cause, in the segment header and in record headers whose CRC still matches (SPEC §9.1:
/// a newer format version is refused; §9.3: corruption stops the start, naming the file and the offset).
/// </summary>
public sealed class WalHeaderCorruptionTests : IDisposable
{
    private const int Header = 32;
    private const int RecordHeader = 24;
    private readonly TempDirectory _temp = new();
    private readonly string _dir;
    private readonly string _segment;

    public WalHeaderCorruptionTests()
    {
        _dir = _temp.Combine("wal");
        _segment = SegmentPath(_dir, 1);
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>Writes entries 1..3 (payloads of 100 bytes) and returns the segment's bytes.</summary>
    private async Task<byte[]> WriteThreeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var (wal, _) = await Wal.OpenAsync(_dir, null, null, null, ct);
        for (var i = 0; i < 3; i++)
        {
            await wal.AppendAsync(RecordKind.Entry, (ulong)i + 1, RandomPayload(i, 100), ct);
        }

        await wal.DisposeAsync();
        return await File.ReadAllBytesAsync(_segment, ct);
    }

    /// <summary>Rewrites the segment after <paramref name="change"/>, with the segment header's CRC made valid again.</summary>
    private async Task RewriteHeaderAsync(byte[] bytes, Action<Span<byte>> change)
    {
        change(bytes.AsSpan(0, Header));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(28), ReferenceCrc32C.Compute(bytes.AsSpan(0, 28)));
        await File.WriteAllBytesAsync(_segment, bytes, TestContext.Current.CancellationToken);
    }

    /// <summary>Rewrites the segment after changing the header of the record at <paramref name="offset"/>, with that header's CRC made valid again.</summary>
    private async Task RewriteRecordHeaderAsync(byte[] bytes, int offset, Action<Span<byte>> change)
    {
        var header = bytes.AsSpan(offset, RecordHeader);
        change(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], ReferenceCrc32C.Compute(header[..20]));
        await File.WriteAllBytesAsync(_segment, bytes, TestContext.Current.CancellationToken);
    }

    private async Task AssertCorruptAsync(long offset, string reason, long length)
    {
        var ex = await Assert.ThrowsAsync<StorageCorruptException>(() => ReopenAsync(_dir));
        Assert.Equal($"{_segment}: offset {offset}: {reason}", ex.Message);
        Assert.Equal(_segment, ex.FilePath);
        Assert.Equal(offset, ex.Offset);

        // Corruption is never "repaired": the file is left as it was for the operator.
        Assert.Equal(length, new FileInfo(_segment).Length);
    }

    [Fact]
    public async Task A_segment_of_a_newer_format_version_is_refused()
    {
        var bytes = await WriteThreeAsync();
        await RewriteHeaderAsync(bytes, h => BinaryPrimitives.WriteUInt32LittleEndian(h[8..], 2));
        await AssertCorruptAsync(8, "segment format version 2 is not supported (this antietcd supports 1)", bytes.Length);
    }

    [Fact]
    public async Task A_segment_whose_header_names_another_sequence_is_refused()
    {
        var bytes = await WriteThreeAsync();
        await RewriteHeaderAsync(bytes, h => BinaryPrimitives.WriteUInt64LittleEndian(h[16..], 7));
        await AssertCorruptAsync(16, "segment header holds sequence 0000000000000007, the file name 0000000000000001", bytes.Length);
    }

    [Fact]
    public async Task A_changed_segment_header_byte_is_a_header_crc_mismatch()
    {
        var bytes = await WriteThreeAsync();
        bytes[20] ^= 0x40;
        await File.WriteAllBytesAsync(_segment, bytes, TestContext.Current.CancellationToken);
        await AssertCorruptAsync(0, "segment header CRC mismatch", bytes.Length);
    }

    [Fact]
    public async Task A_segment_shorter_than_its_header_is_refused()
    {
        var bytes = await WriteThreeAsync();
        await File.WriteAllBytesAsync(_segment, bytes[..20], TestContext.Current.CancellationToken);
        await AssertCorruptAsync(0, "segment header is incomplete (20 bytes)", 20);
    }

    [Theory]
    [InlineData(0, "record length 1073741825 exceeds the maximum 1073741824")]
    [InlineData(4, "invalid record kind 9")]
    [InlineData(6, "nonzero reserved bytes in a record header")]
    public async Task A_record_header_with_a_valid_crc_but_impossible_fields_is_corruption_even_at_the_end(int field, string reason)
    {
        var bytes = await WriteThreeAsync();
        var last = Header + (2 * (RecordHeader + 100));
        await RewriteRecordHeaderAsync(bytes, last, h =>
        {
            switch (field)
            {
                case 0: BinaryPrimitives.WriteUInt32LittleEndian(h, (1u << 30) + 1); break;
                case 4: h[4] = 9; break;
                default: h[6] = 1; break;
            }
        });

        // The last record of the newest segment: still not a torn write, because its header CRC matches.
        await AssertCorruptAsync(last, reason, bytes.Length);
    }
}
