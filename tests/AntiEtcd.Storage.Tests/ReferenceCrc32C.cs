namespace AntiEtcd.Storage.Tests;

/// <summary>A plain bitwise-table CRC32C, written from the definition, to check the accelerated one.</summary>
internal static class ReferenceCrc32C
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        const uint reflectedPolynomial = 0x82F63B78;
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ reflectedPolynomial : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
