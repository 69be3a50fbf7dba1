using System.Buffers;

namespace AntiEtcd.Server.Node;

/// <summary>
/// Writes the fields of a <see cref="Command"/> into an <see cref="IBufferWriter{T}"/>, asking it
/// for a span only when the current one is full.
/// </summary>
/// <remarks>Varints are unsigned LEB128 of the value's two's complement (protobuf <c>int64</c>).</remarks>
internal ref struct CommandWriter
{
    private const int ChunkSize = 512;

    private readonly IBufferWriter<byte> _output;
    private Span<byte> _buffer;
    private int _position;

    public CommandWriter(IBufferWriter<byte> output) => _output = output;

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
        if (bytes.IsEmpty)
        {
            return;
        }

        Ensure(bytes.Length);
        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
    }

    /// <summary>Hands the bytes still held to the output.</summary>
    public void Flush()
    {
        if (_position > 0)
        {
            _output.Advance(_position);
            _position = 0;
        }

        _buffer = default;
    }

    private void Ensure(int count)
    {
        if (_buffer.Length - _position < count)
        {
            Flush();
            _buffer = _output.GetSpan(Math.Max(count, ChunkSize));
        }
    }
}
