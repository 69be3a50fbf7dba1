namespace AntiEtcd;

/// <summary>
/// Minimal LEB128 varints, as used by the log entry (command) and store snapshot formats
/// (docs/wal-format.md §8): at most 10 bytes, and a non-minimal encoding is refused so that every
/// value has exactly one encoding.
/// </summary>
/// <remarks>
/// One source file compiled into AntiEtcd.Mvcc and AntiEtcd.Server (linked from src/Shared), so both
/// binary codecs share one implementation without a public API for it. Stateless.
/// </remarks>
internal static class Varint
{
    /// <summary>The longest encoding of a 64-bit value.</summary>
    public const int MaxLength = 10;

    /// <summary>Writes <paramref name="value"/> (as unsigned 64 bits) and returns the bytes used.</summary>
    /// <param name="destination">At least <see cref="MaxLength"/> bytes, or the encoded length.</param>
    /// <param name="value">The value.</param>
    public static int Write(Span<byte> destination, long value)
    {
        var v = (ulong)value;
        var i = 0;
        while (v >= 0x80)
        {
            destination[i++] = (byte)(v | 0x80);
            v >>= 7;
        }

        destination[i++] = (byte)v;
        return i;
    }

    /// <summary>The number of bytes <see cref="Write"/> uses for <paramref name="value"/>.</summary>
    public static int SizeOf(long value)
    {
        var v = (ulong)value;
        var size = 1;
        while (v >= 0x80)
        {
            v >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>Reads a varint at <paramref name="position"/> and moves past it.</summary>
    /// <returns>Null on success, otherwise what is wrong (the caller names the offset and the format).</returns>
    public static string? TryRead(ReadOnlySpan<byte> data, ref int position, out long value)
    {
        ulong result = 0;
        value = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (position >= data.Length)
            {
                return "truncated varint";
            }

            var b = data[position++];
            if (shift == 63 && b > 1)
            {
                return "varint overflows 64 bits";
            }

            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if (b == 0 && shift > 0)
                {
                    return "non-minimal varint";
                }

                value = (long)result;
                return null;
            }
        }
    }
}
