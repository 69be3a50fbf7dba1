using System.Buffers.Binary;
using System.Globalization;

namespace AntiEtcd.Storage;

/// <summary>Byte layouts of WAL segments and records (docs/wal-format.md §2); frozen by the golden tests.</summary>
internal static class WalFormat
{
    public const uint Version = 1;
    public const int SegmentHeaderSize = 32;
    public const int RecordHeaderSize = 24;
    public const int MaxPayloadLength = 1 << 30;
    public const int SectorSize = 512;
    public const string TempSuffix = ".tmp";

    public static ReadOnlySpan<byte> SegmentMagic => "AEWALSEG"u8;

    public static string SegmentName(ulong sequence) => $"wal-{sequence:x16}.log";

    public static bool TryParseSegmentName(string name, out ulong sequence)
    {
        sequence = 0;
        return name.Length == 24 && name.StartsWith("wal-", StringComparison.Ordinal) && name.EndsWith(".log", StringComparison.Ordinal)
            && IsLowerHex(name.AsSpan(4, 16))
            && ulong.TryParse(name.AsSpan(4, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out sequence);
    }

    public static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    public static void WriteSegmentHeader(Span<byte> destination, ulong sequence)
    {
        destination = destination[..SegmentHeaderSize];
        destination.Clear();
        SegmentMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[28..], Crc32C.Compute(destination[..28]));
    }

    /// <summary>Encodes a record header for <paramref name="payload"/>; the payload follows it on disk.</summary>
    public static void WriteRecordHeader(Span<byte> destination, RecordKind kind, ulong index, ReadOnlySpan<byte> payload)
    {
        destination = destination[..RecordHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)payload.Length);
        destination[4] = (byte)kind;
        destination[5] = 0;
        destination[6] = 0;
        destination[7] = 0;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[16..], Crc32C.Compute(payload));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], Crc32C.Compute(destination[..20]));
    }

    public static bool IsValidKind(byte kind) => kind is (byte)RecordKind.Entry or (byte)RecordKind.HardState or (byte)RecordKind.Snapshot;
}
