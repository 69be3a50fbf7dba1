using System.Buffers.Binary;
using System.Numerics;

namespace AntiEtcd.Mvcc;

/// <summary>
/// CRC32C (Castagnoli) with the standard initial value and final XOR, the checksum of store
/// snapshot images (the same CRC as the WAL's, docs/wal-format.md; "123456789" gives 0xE3069283).
/// </summary>
/// <remarks>
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> is the hardware-accelerated raw step; the store
/// has no reference to AntiEtcd.Storage, so it keeps this small copy of the idea. Stateless.
/// </remarks>
internal static class Crc32C
{
    /// <summary>The CRC32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(~0u, data);

    /// <summary>Continues a raw (not inverted) CRC state over <paramref name="data"/>.</summary>
    public static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }

        return state;
    }
}
