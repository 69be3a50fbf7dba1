using System.Buffers;

namespace AntiEtcd.Storage;

/// <summary>
/// The <see cref="IBufferWriter{T}"/> a streamed snapshot save writes into: bytes go to the file in buffer-sized pieces,
/// with a running CRC32C, so an image as large as the store never has to exist in memory whole.
/// </summary>
/// <remarks>Single-threaded, like any buffer writer. <see cref="Flush"/> hands the rest to the file.</remarks>
internal sealed class SnapshotFileSink : IBufferWriter<byte>, IDisposable
{
    private const int BufferSize = 256 * 1024;

    private readonly Action<ReadOnlySpan<byte>> _write;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _used;
    private uint _crc = ~0u;

    /// <param name="write">Appends bytes to the file; throws on failure.</param>
    public SnapshotFileSink(Action<ReadOnlySpan<byte>> write)
    {
        _write = write;
    }

    /// <summary>Bytes handed to the file so far (after <see cref="Flush"/>: all of them).</summary>
    public long Length { get; private set; }

    /// <summary>The CRC32C of those bytes.</summary>
    public uint Crc => ~_crc;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - _used)
        {
            throw new InvalidOperationException("advanced past the span handed out");
        }

        _used += count;
    }

    // Reserve first: it may replace the buffer, and `_buffer.AsSpan(Reserve(…))` would read the field before the call.
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var start = Reserve(sizeHint);
        return _buffer.AsMemory(start);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        var start = Reserve(sizeHint);
        return _buffer.AsSpan(start);
    }

    /// <summary>Writes what is buffered to the file.</summary>
    public void Flush()
    {
        if (_used == 0)
        {
            return;
        }

        var data = _buffer.AsSpan(0, _used);
        _crc = Crc32C.Update(_crc, data);
        _write(data);
        Length += _used;
        _used = 0;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>Makes room for at least <paramref name="sizeHint"/> bytes (1 for 0) and returns where they start.</summary>
    private int Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _used < needed)
        {
            Flush();
            if (_buffer.Length < needed)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(needed);
            }
        }

        return _used;
    }
}
