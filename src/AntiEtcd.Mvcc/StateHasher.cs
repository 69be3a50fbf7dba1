using System.Buffers.Binary;
using System.Numerics;

namespace AntiEtcd.Mvcc;

/// <summary>
/// A streaming 64-bit hash of integers and length-prefixed byte strings, for
/// <see cref="MvccStore.HashKv"/>: fixed constants and little-endian reads, so a value is the same
/// on every run, machine and process (unlike <see cref="HashCode"/>, which is seeded per process).
/// </summary>
/// <remarks>
/// Not cryptographic: it detects divergence between nodes that apply the same log, it does not
/// resist an adversary. One multiply-rotate round per 64-bit word and a final avalanche (the
/// well-known 64-bit mixing primes); byte strings are prefixed by their length, so field
/// boundaries cannot be shifted without changing the hash. A frozen value in the tests guards it.
/// </remarks>
internal struct StateHasher
{
    private const ulong Prime1 = 0x9E3779B185EBCA87;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4F;
    private const ulong Prime3 = 0x165667B19E3779F9;
    private const ulong Prime4 = 0x85EBCA77C2B2AE63;

    private ulong _state;

    /// <summary>Starts a hash.</summary>
    public StateHasher() => _state = Prime3;

    /// <summary>Adds one integer.</summary>
    public void Add(long value) => Round((ulong)value);

    /// <summary>Adds a byte string, prefixed by its length.</summary>
    public void Add(ReadOnlySpan<byte> bytes)
    {
        Round((ulong)bytes.Length);
        while (bytes.Length >= 8)
        {
            Round(BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            bytes = bytes[8..];
        }

        if (!bytes.IsEmpty)
        {
            ulong tail = 0;
            for (var i = 0; i < bytes.Length; i++)
            {
                tail |= (ulong)bytes[i] << (8 * i);
            }

            Round(tail);
        }
    }

    /// <summary>The hash of everything added.</summary>
    public readonly ulong Finish()
    {
        var h = _state;
        h ^= h >> 33;
        h *= Prime2;
        h ^= h >> 29;
        h *= Prime3;
        h ^= h >> 32;
        return h;
    }

    private void Round(ulong word)
    {
        _state ^= BitOperations.RotateLeft(word * Prime2, 31) * Prime1;
        _state = (BitOperations.RotateLeft(_state, 27) * Prime1) + Prime4;
    }
}
