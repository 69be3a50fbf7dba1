using System.Buffers.Binary;

namespace AntiEtcd.Server.Cluster;

/// <summary>
/// The payload of a <see cref="PeerFrameType.RaftChunk"/> frame (docs/cluster-transport.md §3.4): one piece of a
/// <see cref="PeerFrameType.RaftBatch"/> payload that does not fit in one frame.
/// </summary>
/// <remarks>
/// <para>Layout after the envelope, little-endian: transfer id u64, total length u64, offset u64, then the piece
/// (at least one byte, the rest of the frame). The reassembled bytes are exactly the payload a
/// <see cref="PeerFrameType.RaftBatch"/> frame would carry (a count, then length-prefixed messages).</para>
/// <para>Fixed-width fields, unlike the varints of the batch codec, so the sender knows the header size before it
/// cuts the pieces and every piece but the last fills its frame.</para>
/// </remarks>
internal static class PeerChunk
{
    /// <summary>Bytes of the transfer id, total length and offset fields.</summary>
    public const int FieldsLength = 24;

    /// <summary>Bytes of a chunk frame before the piece: envelope and fields.</summary>
    public const int HeaderLength = PeerFrame.HeaderLength + FieldsLength;

    /// <summary>Writes a whole chunk frame into <paramref name="destination"/>; returns its length.</summary>
    public static int WriteFrame(Span<byte> destination, ulong transferId, long totalLength, long offset, ReadOnlySpan<byte> piece)
    {
        PeerFrame.WriteHeader(destination, PeerFrameType.RaftChunk);
        var fields = destination[PeerFrame.HeaderLength..];
        BinaryPrimitives.WriteUInt64LittleEndian(fields, transferId);
        BinaryPrimitives.WriteUInt64LittleEndian(fields[8..], (ulong)totalLength);
        BinaryPrimitives.WriteUInt64LittleEndian(fields[16..], (ulong)offset);
        piece.CopyTo(fields[FieldsLength..]);
        return HeaderLength + piece.Length;
    }

    /// <summary>Splits a chunk payload (after the envelope) into its fields and piece.</summary>
    /// <exception cref="InvalidDataException">The payload is shorter than the fields or carries no byte.</exception>
    public static void Read(ReadOnlyMemory<byte> payload, out ulong transferId, out ulong totalLength, out ulong offset, out ReadOnlyMemory<byte> piece)
    {
        var span = payload.Span;
        if (span.Length <= FieldsLength)
        {
            throw new InvalidDataException("Raft chunk without fields or bytes.");
        }

        transferId = BinaryPrimitives.ReadUInt64LittleEndian(span);
        totalLength = BinaryPrimitives.ReadUInt64LittleEndian(span[8..]);
        offset = BinaryPrimitives.ReadUInt64LittleEndian(span[16..]);
        piece = payload[FieldsLength..];
    }
}
