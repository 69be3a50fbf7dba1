namespace AntiEtcd.Server.Node;

/// <summary>
/// Reads the fields of an encoded <see cref="Command"/>; every failure is an
/// <see cref="InvalidDataException"/> naming the byte offset, never another exception.
/// </summary>
internal ref struct CommandReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public CommandReader(ReadOnlySpan<byte> data) => _data = data;

    /// <summary>The offset of the next byte to read.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes left.</summary>
    public readonly int Remaining => _data.Length - _position;

    public byte ReadByte()
    {
        if (_position >= _data.Length)
        {
            throw Corrupt(_position, "truncated");
        }

        return _data[_position++];
    }

    /// <summary>A flags byte; bits outside <paramref name="known"/> are refused.</summary>
    public byte ReadFlags(byte known, string field)
    {
        var start = _position;
        var flags = ReadByte();
        if ((flags & ~known) != 0)
        {
            throw Corrupt(start, $"unknown {field} flags 0x{flags:x2}");
        }

        return flags;
    }

    /// <summary>A minimal LEB128 varint of at most 10 bytes, as the writer produces.</summary>
    public long ReadVarint()
    {
        var start = _position;
        return Varint.TryRead(_data, ref _position, out var value) is { } error ? throw Corrupt(start, error) : value;
    }

    /// <summary>An enum's underlying <see cref="int"/> value, as written (out-of-range values are the validator's business).</summary>
    public int ReadEnum(string field)
    {
        var start = _position;
        var value = ReadVarint();
        if (value < int.MinValue || value > int.MaxValue)
        {
            throw Corrupt(start, $"{field} {value} is not a 32-bit value");
        }

        return (int)value;
    }

    /// <summary>A count whose every element takes at least <paramref name="minElementSize"/> bytes.</summary>
    public int ReadCount(int minElementSize, string field)
    {
        var start = _position;
        var value = ReadVarint();
        if (value < 0 || value > Remaining / minElementSize)
        {
            throw Corrupt(start, $"{field} {value} does not fit in the {Remaining} bytes left");
        }

        return (int)value;
    }

    /// <summary>A length-prefixed byte string as a fresh array (the store keeps it); empty as default.</summary>
    public ReadOnlyMemory<byte> ReadBytes()
    {
        var start = _position;
        var length = ReadVarint();
        if (length < 0 || length > Remaining)
        {
            throw Corrupt(start, $"length {length} runs past the end");
        }

        if (length == 0)
        {
            return default;
        }

        var bytes = _data.Slice(_position, (int)length).ToArray();
        _position += (int)length;
        return bytes;
    }

    public static InvalidDataException Corrupt(int offset, string what) =>
        new($"command: offset {offset}: {what}");
}
