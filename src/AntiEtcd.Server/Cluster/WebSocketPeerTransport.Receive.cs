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
    /// Broken frames close the connection: 1007 for an undecodable frame, 1003 for a text or unknown frame,
    /// 1009 for a frame over <see cref="PeerTransportOptions.MaxFrameBytes"/>.
    /// </remarks>
    internal async Task<string> ReadFramesAsync(PeerSocket socket, ClusterMember peer)
    {
        var sender = SenderOf(peer.Id);
        var batch = new List<Message>();
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

                if (type != PeerFrameType.RaftBatch)
                {
                    throw new PeerProtocolException(WebSocketCloseStatus.InvalidMessageType, $"unsupported frame type {(byte)type}");
                }

                batch.Clear();
                RaftMessageCodec.ReadBatch(payload, batch);
                sender.CountReceivedFrame();
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
