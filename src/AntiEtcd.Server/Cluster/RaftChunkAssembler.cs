using System.Net.WebSockets;

namespace AntiEtcd.Server.Cluster;

/// <summary>
/// Reassembles the <see cref="PeerFrameType.RaftChunk"/> frames of one connection into <see cref="PeerFrameType.RaftBatch"/>
/// payloads. One per read loop, so a connection that ends takes its partial transfer with it.
/// </summary>
/// <remarks>
/// <para>A transfer starts at offset 0 and its pieces follow in order, each starting where the previous one ended,
/// all with the same total length. A chunk with another transfer id discards the partial transfer (the sender gave
/// it up) and must start a new one at offset 0. Anything else is <see cref="InvalidDataException"/> (1007); a total
/// beyond the bound is a <see cref="PeerProtocolException"/> with 1009.</para>
/// <para>The buffer grows with the bytes actually received rather than to the announced total at once, so a peer that
/// announces 2 GiB and stops costs what it sent. Once complete, the buffer is handed out and forgotten: the decoded
/// messages alias it, and it must not outlive them by staying pinned to the connection.</para>
/// <para>Not thread-safe: the connection's read loop is its only user.</para>
/// </remarks>
internal sealed class RaftChunkAssembler
{
    private const int MinimumCapacity = 64 * 1024;

    private readonly long _maxBytes;

    private byte[]? _buffer;
    private ulong _transferId;
    private long _total;
    private long _received;

    /// <summary>Refuses transfers over <paramref name="maxBytes"/>, and in any case over <see cref="Array.MaxLength"/>.</summary>
    public RaftChunkAssembler(long maxBytes) => _maxBytes = Math.Min(maxBytes, Array.MaxLength);

    /// <summary>Whether a transfer has started and not completed.</summary>
    public bool InProgress => _buffer is not null;

    /// <summary>Adds one chunk payload (after the envelope).</summary>
    /// <returns>True, with the whole RaftBatch payload in <paramref name="complete"/>, when this chunk completed a transfer.</returns>
    /// <exception cref="InvalidDataException">The chunk is malformed or not the one expected.</exception>
    /// <exception cref="PeerProtocolException">The announced total exceeds the bound (1009).</exception>
    public bool Add(ReadOnlyMemory<byte> payload, out ReadOnlyMemory<byte> complete)
    {
        PeerChunk.Read(payload, out var id, out var total, out var offset, out var piece);
        if (_buffer is not null && id != _transferId)
        {
            _buffer = null;
        }

        if (_buffer is null)
        {
            if (offset != 0)
            {
                throw new InvalidDataException($"Raft chunk of transfer {id} starts at offset {offset}, not 0.");
            }

            if (total > (ulong)_maxBytes)
            {
                throw new PeerProtocolException(WebSocketCloseStatus.MessageTooBig, "chunked message too big");
            }

            _transferId = id;
            _total = (long)total;
            _received = 0;
            _buffer = new byte[Math.Min(_total, Math.Max(MinimumCapacity, piece.Length))];
        }
        else if (total != (ulong)_total || offset != (ulong)_received)
        {
            throw new InvalidDataException($"Raft chunk of transfer {id} at offset {offset} of {total}; expected offset {_received} of {_total}.");
        }

        if (piece.Length > _total - _received)
        {
            throw new InvalidDataException($"Raft chunk of transfer {id} runs past its total length {_total}.");
        }

        var end = _received + piece.Length;
        if (end > _buffer.Length)
        {
            Array.Resize(ref _buffer, (int)Math.Min(_total, Math.Max(end, 2L * _buffer.Length)));
        }

        piece.Span.CopyTo(_buffer.AsSpan((int)_received));
        _received = end;
        if (_received < _total)
        {
            complete = default;
            return false;
        }

        complete = _buffer;
        _buffer = null;
        return true;
    }
}
