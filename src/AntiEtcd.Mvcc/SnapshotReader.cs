namespace AntiEtcd.Mvcc;

/// <summary>
/// Reads the fields of a store snapshot image; every failure is an
/// <see cref="InvalidDataException"/> naming the byte offset, never another exception.
/// </summary>
internal ref struct SnapshotReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <param name="data">The image without its CRC trailer.</param>
    /// <param name="position">Where to start (after the checked version byte).</param>
    public SnapshotReader(ReadOnlySpan<byte> data, int position)
    {
        _data = data;
        _position = position;
    }

    /// <summary>The offset of the next byte to read.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes left before the trailer.</summary>
    public readonly int Remaining => _data.Length - _position;

    public byte ReadByte()
    {
        if (_position >= _data.Length)
        {
            throw Corrupt(_position, "truncated");
        }

        return _data[_position++];
    }

    /// <summary>A minimal LEB128 varint of at most 10 bytes, as the writer produces.</summary>
    public long ReadVarint()
    {
        var start = _position;
        return Varint.TryRead(_data, ref _position, out var value) is { } error ? throw Corrupt(start, error) : value;
    }

    /// <summary>A varint in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long ReadVarint(long min, long max, string field)
    {
        var start = _position;
        var value = ReadVarint();
        if (value < min || value > max)
        {
            throw Corrupt(start, $"{field} {value} outside [{min}, {max}]");
        }

        return value;
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

    /// <summary>A length-prefixed byte string, as a view of the image.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var start = _position;
        var length = ReadVarint();
        if (length < 0 || length > Remaining)
        {
            throw Corrupt(start, $"length {length} runs past the end");
        }

        var bytes = _data.Slice(_position, (int)length);
        _position += (int)length;
        return bytes;
    }

    public static InvalidDataException Corrupt(int offset, string what) =>
        new($"store snapshot: offset {offset}: {what}");
}
