using System.Buffers;
using System.Buffers.Binary;

namespace AntiEtcd.Mvcc;

/// <summary>
/// Writes a store snapshot image into an <see cref="IBufferWriter{T}"/> in large chunks, keeping a
/// running CRC32C of everything written, so that a million keys cost no allocation and no
/// per-field <c>GetSpan</c> call.
/// </summary>
/// <remarks>Varints are unsigned LEB128 of the value's two's complement (protobuf <c>int64</c>).</remarks>
internal ref struct SnapshotWriter
{
    private const int ChunkSize = 64 * 1024;

    private readonly IBufferWriter<byte> _output;
    private Span<byte> _buffer;
    private int _position;
    private uint _crc;
    private long _length;

    public SnapshotWriter(IBufferWriter<byte> output)
    {
        _output = output;
        _crc = ~0u;
    }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_position++] = value;
    }

    public void WriteVarint(long value)
    {
        Ensure(Varint.MaxLength);
        _position += Varint.Write(_buffer[_position..], value);
    }

    /// <summary>A length-prefixed byte string.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteVarint(bytes.Length);
        while (!bytes.IsEmpty)
        {
            Ensure(1);
            var n = Math.Min(bytes.Length, _buffer.Length - _position);
            bytes[..n].CopyTo(_buffer[_position..]);
            _position += n;
            bytes = bytes[n..];
        }
    }

    /// <summary>Appends the CRC32C of everything written and hands the rest to the output.</summary>
    /// <returns>The image's length in bytes, checksum included.</returns>
    public long Finish()
    {
        Flush();
        var crc = ~_crc;
        var span = _output.GetSpan(sizeof(uint));
        BinaryPrimitives.WriteUInt32LittleEndian(span, crc);
        _output.Advance(sizeof(uint));
        return _length + sizeof(uint);
    }

    private void Ensure(int count)
    {
        if (_buffer.Length - _position < count)
        {
            Flush();
            _buffer = _output.GetSpan(Math.Max(count, ChunkSize));
        }
    }

    private void Flush()
    {
        if (_position > 0)
        {
            _crc = Crc32C.Update(_crc, _buffer[.._position]);
            _output.Advance(_position);
            _length += _position;
            _position = 0;
        }

        _buffer = default;
    }
}
