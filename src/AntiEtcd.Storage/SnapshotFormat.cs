using System.Buffers.Binary;
using System.Globalization;

namespace AntiEtcd.Storage;

/// <summary>Byte layout and names of snapshot files (docs/wal-format.md §5); frozen by the golden tests.</summary>
internal static class SnapshotFormat
{
    public const uint Version = 1;
    public const int HeaderSize = 32;
    public const int FooterSize = 16;
    public const string Extension = ".snap";

    public static ReadOnlySpan<byte> Magic => "AESNAPSH"u8;

    public static string FileName(ulong index, ulong term) => $"snap-{index:x16}-{term:x16}{Extension}";

    public static bool TryParseFileName(string name, out ulong index, out ulong term)
    {
        index = 0;
        term = 0;
        return name.Length == 5 + 16 + 1 + 16 + Extension.Length && name.StartsWith("snap-", StringComparison.Ordinal)
            && name[21] == '-' && name.EndsWith(Extension, StringComparison.Ordinal)
            && WalFormat.IsLowerHex(name.AsSpan(5, 16)) && WalFormat.IsLowerHex(name.AsSpan(22, 16))
            && ulong.TryParse(name.AsSpan(5, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out index)
            && ulong.TryParse(name.AsSpan(22, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out term);
    }

    public static void WriteHeader(Span<byte> destination, ulong index, ulong term)
    {
        destination = destination[..HeaderSize];
        destination.Clear();
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], index);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], term);
    }

    public static void WriteFooter(Span<byte> destination, ReadOnlySpan<byte> header, long length, uint dataCrc)
    {
        destination = destination[..FooterSize];
        BinaryPrimitives.WriteUInt64LittleEndian(destination, (ulong)length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], dataCrc);
        var crc = Crc32C.Update(Crc32C.Update(~0u, header[..HeaderSize]), destination[..12]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], ~crc);
    }

    /// <summary>Null if <paramref name="file"/> is a valid snapshot of <paramref name="index"/>/<paramref name="term"/>; otherwise what is wrong.</summary>
    public static string? Verify(ReadOnlySpan<byte> file, ulong index, ulong term)
    {
        if (file.Length < HeaderSize + FooterSize)
        {
            return $"too short ({file.Length} bytes)";
        }

        var header = file[..HeaderSize];
        var footer = file[^FooterSize..];
        if (!header[..8].SequenceEqual(Magic))
        {
            return "not a snapshot (bad magic)";
        }

        var crc = ~Crc32C.Update(Crc32C.Update(~0u, header), footer[..12]);
        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(footer[12..]))
        {
            return "header or footer CRC mismatch";
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != Version)
        {
            return $"snapshot format version {version} is not supported (this antietcd supports {Version})";
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(header[16..]) != index || BinaryPrimitives.ReadUInt64LittleEndian(header[24..]) != term)
        {
            return "the header's index and term differ from the file name";
        }

        var length = BinaryPrimitives.ReadUInt64LittleEndian(footer);
        if (length != (ulong)(file.Length - HeaderSize - FooterSize))
        {
            return $"data length {length} does not match the file size";
        }

        return Crc32C.Compute(file[HeaderSize..^FooterSize]) == BinaryPrimitives.ReadUInt32LittleEndian(footer[8..]) ? null : "data CRC mismatch";
    }
}
