using System.Net.WebSockets;
using System.Threading.Channels;
using AntiEtcd.Raft;

namespace AntiEtcd.Server.Cluster;

/// <summary>The authenticated read loop, shared by incoming and outgoing connections.</summary>
internal sealed partial class WebSocketPeerTransport
{
    /// <summary>Reads frames from an authenticated connection until it ends; returns why it ended.</summary>
    /// <remarks>
    /// Every message is attributed to <paramref name="peer"/>, the member the handshake authenticated:
    /// <see cref="Message.From"/> is overwritten and a message addressed to another node is dropped (SPEC §10.3).
    /// Broken frames close the connection: 1007 for an undecodable frame (or a chunk out of sequence), 1003 for a
    /// text or unknown frame, 1009 for a frame over <see cref="PeerTransportOptions.MaxFrameBytes"/> or a chunked
    /// message over <see cref="PeerTransportOptions.MaxMessageBytes"/>. A chunked message is delivered exactly like
    /// a batch once its last chunk arrives (<see cref="RaftChunkAssembler"/>).
    /// </remarks>
    internal async Task<string> ReadFramesAsync(PeerSocket socket, ClusterMember peer)
    {
        var sender = SenderOf(peer.Id);
        var batch = new List<Message>();
        var chunks = new RaftChunkAssembler(Options.MaxMessageBytes);
        var forwarded = new List<ReadOnlyMemory<byte>>();
        var writer = _received.Writer;
        try
        {
            while (true)
            {
                var frame = await socket.ReceiveAsync(Options.MaxFrameBytes, WebSocketCloseStatus.MessageTooBig).ConfigureAwait(false);
                if (frame.Type == WebSocketMessageType.Close)
                {
                    var reason = socket.DescribeClose();
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "").ConfigureAwait(false);
                    return reason;
                }

                if (frame.Type != WebSocketMessageType.Binary)
                {
                    throw new PeerProtocolException(WebSocketCloseStatus.InvalidMessageType, "text message after authentication");
                }

                var type = PeerFrame.ReadHeader(frame.Data, out var payload);
                if (type is PeerFrameType.ForwardRequest or PeerFrameType.ForwardReply)
                {
                    sender.CountReceivedFrame();
                    FrameHandler?.Invoke(new PeerFrameReceived(peer.Id, type, payload, socket.Post));
                    continue;
                }

                if (type == PeerFrameType.ForwardBatch)
                {
                    // Checked whole before any of it is handled: a broken batch closes the connection like a broken frame.
                    sender.CountReceivedFrame();
                    ForwardBatch.Unpack(payload, forwarded);
                    foreach (var inner in forwarded)
                    {
                        var innerType = PeerFrame.ReadHeader(inner, out var innerPayload);
                        FrameHandler?.Invoke(new PeerFrameReceived(peer.Id, innerType, innerPayload, socket.Post));
                    }

                    // The slices alias the received frame: let it go with this batch.
                    forwarded.Clear();
                    continue;
                }

                ReadOnlyMemory<byte> raft;
                if (type == PeerFrameType.RaftChunk)
                {
                    sender.CountReceivedFrame();
                    if (!chunks.Add(payload, out raft))
                    {
                        continue;
                    }
                }
                else if (type == PeerFrameType.RaftBatch)
                {
                    // The sender writes a transfer's chunks back to back from the same loop as its batches, so a
                    // batch in between means the stream is broken; delivering it would reorder Raft messages.
                    if (chunks.InProgress)
                    {
                        throw new InvalidDataException("Raft batch inside a chunked transfer.");
                    }

                    raft = payload;
                }
                else
                {
                    throw new PeerProtocolException(WebSocketCloseStatus.InvalidMessageType, $"unsupported frame type {(byte)type}");
                }

                batch.Clear();
                RaftMessageCodec.ReadBatch(raft, batch);
                if (type == PeerFrameType.RaftBatch)
                {
                    sender.CountReceivedFrame();
                }

                foreach (var message in batch)
                {
                    if (!message.To.IsNone && message.To != LocalId)
                    {
                        ClusterLog.MisaddressedMessage(Logger, peer.Name, message.To.Value);
                        continue;
                    }

                    // Never trust a node ID inside a message: the connection says who sent it.
                    var attributed = message.From == peer.Id && message.To == LocalId ? message : message with { From = peer.Id, To = LocalId };
                    sender.CountReceivedMessage();
                    await writer.WriteAsync(new PeerMessage(peer.Id, attributed), socket.Token).ConfigureAwait(false);
                }

                // The decoded messages alias a reassembled transfer's buffer (up to 2 GiB): once they are queued for
                // Raft, the list must not keep them alive until the next frame.
                batch.Clear();
            }
        }
        catch (InvalidDataException e)
        {
            await socket.CloseAsync(WebSocketCloseStatus.InvalidPayloadData, "invalid frame").ConfigureAwait(false);
            return "invalid frame: " + e.Message;
        }
        catch (PeerProtocolException e)
        {
            await socket.CloseAsync(e.CloseStatus, e.Message).ConfigureAwait(false);
            return e.Message;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException or ChannelClosedException)
        {
            return IsDisposed ? "node shutting down" : socket.DescribeClose();
        }
    }
}
