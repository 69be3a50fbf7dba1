using System.Buffers.Binary;

namespace AntiEtcd.Server.Cluster;

/// <summary>
/// The binary layout of forwarding frames (docs/cluster-transport.md §3.3). Fixed-width little-endian fields; the
/// decoder checks every length and throws only <see cref="InvalidDataException"/>.
/// </summary>
internal static class ForwardCodec
{
    private const int RequestHeader = PeerFrame.HeaderLength + 8 + 4 + 1;
    private const int ReplyHeader = PeerFrame.HeaderLength + 8 + 1;

    /// <summary>A whole frame (envelope included) for <paramref name="request"/>.</summary>
    public static byte[] Encode(ForwardRequest request)
    {
        var bodyLength = request.Kind switch
        {
            ForwardKind.Command => request.Command.Length,
            ForwardKind.KeepAlive => 8,
            _ => 9,
        };
        var frame = new byte[RequestHeader + bodyLength];
        PeerFrame.WriteHeader(frame, PeerFrameType.ForwardRequest);
        var span = frame.AsSpan(PeerFrame.HeaderLength);
        BinaryPrimitives.WriteUInt64LittleEndian(span, request.Id);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], request.RemainingMs);
        span[12] = (byte)request.Kind;
        var body = frame.AsSpan(RequestHeader);
        switch (request.Kind)
        {
            case ForwardKind.Command:
                request.Command.Span.CopyTo(body);
                break;
            case ForwardKind.KeepAlive:
                BinaryPrimitives.WriteInt64LittleEndian(body, request.LeaseId);
                break;
            default:
                BinaryPrimitives.WriteInt64LittleEndian(body, request.LeaseId);
                body[8] = request.Keys ? (byte)1 : (byte)0;
                break;
        }

        return frame;
    }

    /// <summary>Reads a request payload (after the envelope); the command aliases <paramref name="payload"/>.</summary>
    public static ForwardRequest DecodeRequest(ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        if (span.Length < RequestHeader - PeerFrame.HeaderLength)
        {
            throw new InvalidDataException("forward request: too short");
        }

        var id = BinaryPrimitives.ReadUInt64LittleEndian(span);
        var remaining = BinaryPrimitives.ReadUInt32LittleEndian(span[8..]);
        var kind = (ForwardKind)span[12];
        var body = payload[13..];
        return kind switch
        {
            ForwardKind.Command => new ForwardRequest(id, remaining, kind, body, 0, false),
            ForwardKind.KeepAlive when body.Length == 8 => new ForwardRequest(id, remaining, kind, default, BinaryPrimitives.ReadInt64LittleEndian(body.Span), false),
            ForwardKind.TimeToLive when body.Length == 9 && body.Span[8] <= 1 =>
                new ForwardRequest(id, remaining, kind, default, BinaryPrimitives.ReadInt64LittleEndian(body.Span), body.Span[8] == 1),
            _ => throw new InvalidDataException($"forward request: bad kind {(byte)kind} or length"),
        };
    }

    /// <summary>A whole frame (envelope included) for <paramref name="reply"/>.</summary>
    public static byte[] Encode(ForwardReply reply)
    {
        var fixedBody = reply.Status switch
        {
            ForwardStatus.Ok => 16,
            ForwardStatus.Error => 3,
            _ => 0,
        };
        var frame = new byte[ReplyHeader + fixedBody + (reply.Status == ForwardStatus.NotLeader ? 0 : reply.Body.Length)];
        PeerFrame.WriteHeader(frame, PeerFrameType.ForwardReply);
        var span = frame.AsSpan(PeerFrame.HeaderLength);
        BinaryPrimitives.WriteUInt64LittleEndian(span, reply.Id);
        span[8] = (byte)reply.Status;
        var body = span[9..];
        switch (reply.Status)
        {
            case ForwardStatus.Ok:
                BinaryPrimitives.WriteUInt64LittleEndian(body, reply.Index);
                BinaryPrimitives.WriteUInt64LittleEndian(body[8..], reply.Term);
                reply.Body.Span.CopyTo(body[16..]);
                break;
            case ForwardStatus.Error:
                BinaryPrimitives.WriteUInt16LittleEndian(body, (ushort)reply.HttpStatus);
                body[2] = (byte)reply.GrpcCode;
                reply.Body.Span.CopyTo(body[3..]);
                break;
        }

        return frame;
    }

    /// <summary>Reads a reply payload (after the envelope); the body aliases <paramref name="payload"/>.</summary>
    public static ForwardReply DecodeReply(ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        if (span.Length < ReplyHeader - PeerFrame.HeaderLength)
        {
            throw new InvalidDataException("forward reply: too short");
        }

        var id = BinaryPrimitives.ReadUInt64LittleEndian(span);
        var status = (ForwardStatus)span[8];
        var body = payload[9..];
        return status switch
        {
            ForwardStatus.Ok when body.Length >= 16 => new ForwardReply(id, status, BinaryPrimitives.ReadUInt64LittleEndian(body.Span),
                BinaryPrimitives.ReadUInt64LittleEndian(body.Span[8..]), body[16..], 200, 0),
            ForwardStatus.Error when body.Length >= 3 => new ForwardReply(id, status, 0, 0, body[3..], BinaryPrimitives.ReadUInt16LittleEndian(body.Span), body.Span[2]),
            ForwardStatus.NotLeader when body.Length == 0 => new ForwardReply(id, status, 0, 0, default, 0, 0),
            _ => throw new InvalidDataException($"forward reply: bad status {(byte)status} or length"),
        };
    }
}
