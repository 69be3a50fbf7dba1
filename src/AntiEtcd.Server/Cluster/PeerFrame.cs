namespace AntiEtcd.Server.Cluster;

/// <summary>The envelope of a binary peer frame: a version byte, a <see cref="PeerFrameType"/> byte, the payload.</summary>
/// <remarks>
/// One frame is one WebSocket binary message. Handshake messages are text (JSON) and never use this envelope;
/// after authentication only binary frames are accepted.
/// </remarks>
internal static class PeerFrame
{
    /// <summary>The envelope version written today. A receiver refuses any other.</summary>
    public const byte Version = 1;

    /// <summary>Bytes before the payload.</summary>
    public const int HeaderLength = 2;

    /// <summary>The largest frame after authentication (SPEC §10.4).</summary>
    public const int MaxFrameBytes = 64 * 1024 * 1024;

    /// <summary>Writes the two header bytes.</summary>
    public static void WriteHeader(Span<byte> destination, PeerFrameType type)
    {
        destination[0] = Version;
        destination[1] = (byte)type;
    }

    /// <summary>Reads the header of <paramref name="frame"/>.</summary>
    /// <exception cref="InvalidDataException">The frame is too short or has another version.</exception>
    public static PeerFrameType ReadHeader(ReadOnlyMemory<byte> frame, out ReadOnlyMemory<byte> payload)
    {
        var span = frame.Span;
        if (span.Length < HeaderLength)
        {
            throw new InvalidDataException("Peer frame shorter than its header.");
        }

        if (span[0] != Version)
        {
            throw new InvalidDataException($"Unknown peer frame version {span[0]}.");
        }

        payload = frame[HeaderLength..];
        return (PeerFrameType)span[1];
    }
}
