using System.Buffers.Binary;
using System.Numerics;

namespace AntiEtcd;

/// <summary>
/// CRC32C (Castagnoli), as used by iSCSI, ext4 and etcd's WAL; check value of "123456789" is
/// 0xE3069283. The checksum of WAL records, snapshot files and store snapshot images.
/// </summary>
/// <remarks>
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> is the raw CRC step (hardware-accelerated on x64 SSE4.2 and Arm64,
/// a software table otherwise); this class adds the standard initial value and final XOR. Thread-safe, stateless.
/// One source file compiled into AntiEtcd.Storage and AntiEtcd.Mvcc (linked from src/Shared), so the
/// pure store needs no reference to the storage library.
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
