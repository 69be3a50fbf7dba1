using System.Buffers.Binary;

namespace AntiEtcd.Server.Cluster;

/// <summary>
/// The <see cref="PeerFrameType.ForwardBatch"/> payload (docs/cluster-transport.md §3.3): several whole forwarding frames
/// (<see cref="PeerFrameType.ForwardRequest"/> or <see cref="PeerFrameType.ForwardReply"/>, envelope included) that a
/// connection had queued at once, sent as one message, so a busy follower pays one send and its leader one receive
/// for many forwarded writes.
/// </summary>
/// <remarks><c>count:u32</c> then <c>count × (length:u32, frame)</c>, little-endian, like the other forwarding payloads.</remarks>
internal static class ForwardBatch
{
    /// <summary>Bytes a batch adds to each frame it holds.</summary>
    public const int PerFrameOverhead = 4;

    /// <summary>Whether <paramref name="frame"/> is a forwarding frame, the only kind a batch may hold.</summary>
    public static bool CanHold(byte[] frame) =>
        frame.Length >= PeerFrame.HeaderLength && frame[0] == PeerFrame.Version
        && (PeerFrameType)frame[1] is PeerFrameType.ForwardRequest or PeerFrameType.ForwardReply;

    /// <summary>One frame holding <paramref name="frames"/>, in order.</summary>
    public static byte[] Pack(IReadOnlyList<byte[]> frames)
    {
        var length = PeerFrame.HeaderLength + 4;
        foreach (var frame in frames)
        {
            length += PerFrameOverhead + frame.Length;
        }

        var packed = new byte[length];
        PeerFrame.WriteHeader(packed, PeerFrameType.ForwardBatch);
        var position = PeerFrame.HeaderLength;
        BinaryPrimitives.WriteUInt32LittleEndian(packed.AsSpan(position), (uint)frames.Count);
        position += 4;
        foreach (var frame in frames)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(packed.AsSpan(position), (uint)frame.Length);
            position += PerFrameOverhead;
            frame.CopyTo(packed.AsSpan(position));
            position += frame.Length;
        }

        return packed;
    }

    /// <summary>Adds each frame of a batch <paramref name="payload"/> to <paramref name="frames"/> (slices of it, not copies).</summary>
    /// <exception cref="InvalidDataException">A length runs past the end, bytes are left over, or a frame is not a forwarding frame.</exception>
    public static void Unpack(ReadOnlyMemory<byte> payload, List<ReadOnlyMemory<byte>> frames)
    {
        var span = payload.Span;
        if (span.Length < 4)
        {
            throw new InvalidDataException("Forward batch shorter than its count.");
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(span);
        var position = 4;
        for (var i = 0u; i < count; i++)
        {
            if (span.Length - position < PerFrameOverhead)
            {
                throw new InvalidDataException($"Forward batch ends inside frame {i} of {count}.");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(span[position..]);
            position += PerFrameOverhead;
            if (length > (uint)(span.Length - position))
            {
                throw new InvalidDataException($"Forward batch frame {i} of {length} bytes runs past the end.");
            }

            var frame = payload.Slice(position, (int)length);
            var type = PeerFrame.ReadHeader(frame, out _);
            if (type is not (PeerFrameType.ForwardRequest or PeerFrameType.ForwardReply))
            {
                throw new InvalidDataException($"Forward batch holds a frame of type {(byte)type}.");
            }

            frames.Add(frame);
            position += (int)length;
        }

        if (position != span.Length)
        {
            throw new InvalidDataException($"Forward batch has {span.Length - position} bytes after its {count} frames.");
        }
    }
}
