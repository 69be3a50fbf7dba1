using System.Buffers.Binary;

namespace AntiEtcd.Simulation.Tests;

/// <summary>The simulation's one command: set register <see cref="Key"/> to the unique value <see cref="Value"/>.</summary>
internal readonly record struct RegisterCommand(int Key, int Value)
{
    public byte[] Encode()
    {
        var b = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(b, Key);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), Value);
        return b;
    }

    public static RegisterCommand Decode(ReadOnlySpan<byte> data) =>
        new(BinaryPrimitives.ReadInt32LittleEndian(data), BinaryPrimitives.ReadInt32LittleEndian(data[4..]));
}
