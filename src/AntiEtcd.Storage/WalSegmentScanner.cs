using System.Buffers.Binary;

namespace AntiEtcd.Storage;

/// <summary>Parses one segment's bytes into records, classifying the first bad record as torn or corrupt (docs/wal-format.md §3).</summary>
internal static class WalSegmentScanner
{
    /// <summary>
    /// The reason given for zeros from a record boundary to the end of the file: the active segment's reserved space (or a
    /// size extended before its data was written), which holds no record.
    /// </summary>
    public const string ZeroFilledTail = "zero-filled tail";

    /// <summary>Parses <paramref name="data"/>; throws <see cref="StorageCorruptException"/> for anything but a torn tail of the last segment.</summary>
    /// <param name="data">The whole segment file.</param>
    /// <param name="path">The segment's path, for messages.</param>
    /// <param name="sequence">The sequence number from the file name.</param>
    /// <param name="isLast">Whether this is the newest segment, the only one that may have a torn tail.</param>
    /// <param name="records">Receives the records in order, with their byte offsets.</param>
    /// <param name="tornReason">Receives why the tail at the returned offset is torn, or null if the segment is intact.</param>
    /// <returns>The length of the valid prefix.</returns>
    public static long Scan(byte[] data, string path, ulong sequence, bool isLast, List<(WalRecord Record, long Offset)> records, out string? tornReason)
    {
        CheckHeader(data, path, sequence);
        tornReason = null;
        var position = WalFormat.SegmentHeaderSize;
        while (position < data.Length)
        {
            var reason = ReadRecord(data, position, out var record, out var end, out var torn);
            if (reason is null)
            {
                records.Add((record, position));
                position = end;
                continue;
            }

            if (!torn || !isLast)
            {
                throw new StorageCorruptException(path, position, torn ? $"{reason} in a segment that is not the newest" : reason);
            }

            tornReason = reason;
            return position;
        }

        return position;
    }

    private static void CheckHeader(byte[] data, string path, ulong sequence)
    {
        if (data.Length < WalFormat.SegmentHeaderSize)
        {
            throw new StorageCorruptException(path, 0, $"segment header is incomplete ({data.Length} bytes)");
        }

        var header = data.AsSpan(0, WalFormat.SegmentHeaderSize);
        if (!header[..8].SequenceEqual(WalFormat.SegmentMagic))
        {
            throw new StorageCorruptException(path, 0, "not a WAL segment (bad magic)");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(header[28..]) != Crc32C.Compute(header[..28]))
        {
            throw new StorageCorruptException(path, 0, "segment header CRC mismatch");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version != WalFormat.Version)
        {
            throw new StorageCorruptException(path, 8, $"segment format version {version} is not supported (this antietcd supports {WalFormat.Version})");
        }

        var found = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
        if (found != sequence)
        {
            throw new StorageCorruptException(path, 16, $"segment header holds sequence {found:x16}, the file name {sequence:x16}");
        }
    }

    /// <returns>Null for a good record; otherwise what is wrong, with <paramref name="torn"/> telling whether it looks like a torn write.</returns>
    private static string? ReadRecord(byte[] data, int position, out WalRecord record, out int end, out bool torn)
    {
        record = default;
        end = position;
        torn = true;
        var remaining = data.Length - position;
        if (remaining < WalFormat.RecordHeaderSize)
        {
            return AllZero(data, position, data.Length) ? ZeroFilledTail : "partial record header";
        }

        var header = data.AsSpan(position, WalFormat.RecordHeaderSize);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[20..]) != Crc32C.Compute(header[..20]))
        {
            if (AllZero(data, position, data.Length))
            {
                return ZeroFilledTail;
            }

            torn = TouchesZeroSector(data, position, position + WalFormat.RecordHeaderSize);
            return torn ? "torn write in a record header" : "record header CRC mismatch";
        }

        torn = false;
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var kind = header[4];
        if (length > WalFormat.MaxPayloadLength)
        {
            return $"record length {length} exceeds the maximum {WalFormat.MaxPayloadLength}";
        }

        if (!WalFormat.IsValidKind(kind))
        {
            return $"invalid record kind {kind}";
        }

        if (header[5] != 0 || header[6] != 0 || header[7] != 0)
        {
            return "nonzero reserved bytes in a record header";
        }

        if (remaining - WalFormat.RecordHeaderSize < length)
        {
            torn = true;
            return "partial record payload";
        }

        end = position + WalFormat.RecordHeaderSize + (int)length;
        var payload = new ReadOnlyMemory<byte>(data, position + WalFormat.RecordHeaderSize, (int)length);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[16..]) != Crc32C.Compute(payload.Span))
        {
            if (end == data.Length)
            {
                torn = true;
                return "payload CRC mismatch in the last record";
            }

            torn = TouchesZeroSector(data, position, end);
            return torn ? "torn write in a record payload" : "payload CRC mismatch";
        }

        record = new WalRecord((RecordKind)kind, BinaryPrimitives.ReadUInt64LittleEndian(header[8..]), payload);
        return null;
    }

    private static bool AllZero(byte[] data, int from, int to) => data.AsSpan(from, to - from).IndexOfAnyExcept((byte)0) < 0;

    /// <summary>Whether an aligned 512-byte sector overlapping [from, to) reads as all zeros (a sector that was never written).</summary>
    private static bool TouchesZeroSector(byte[] data, int from, int to)
    {
        for (var sector = from / WalFormat.SectorSize * WalFormat.SectorSize; sector < to; sector += WalFormat.SectorSize)
        {
            if (AllZero(data, sector, Math.Min(sector + WalFormat.SectorSize, data.Length)))
            {
                return true;
            }
        }

        return false;
    }
}
