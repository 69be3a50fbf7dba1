using AntiEtcd.Server.Cluster;
using AntiEtcd.Server.Tests.ClusterNode;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>Forwarding frames queued on one connection go as one ForwardBatch frame (docs/cluster-transport.md §3.3).</summary>
public sealed class ForwardBatchTests
{
    private static byte[] Frame(PeerFrameType type, params byte[] payload)
    {
        var frame = new byte[PeerFrame.HeaderLength + payload.Length];
        PeerFrame.WriteHeader(frame, type);
        payload.CopyTo(frame, PeerFrame.HeaderLength);
        return frame;
    }

    private static List<byte[]> Unpack(byte[] batch)
    {
        Assert.Equal(PeerFrameType.ForwardBatch, PeerFrame.ReadHeader(batch, out var payload));
        var frames = new List<ReadOnlyMemory<byte>>();
        ForwardBatch.Unpack(payload, frames);
        return [.. frames.Select(f => f.ToArray())];
    }

    [Fact]
    public void LayoutIsFrozen()
    {
        var batch = ForwardBatch.Pack([Frame(PeerFrameType.ForwardRequest, 0xAA), Frame(PeerFrameType.ForwardReply)]);
        Assert.Equal("0107" + "02000000" + "03000000" + "0102AA" + "02000000" + "0103", Convert.ToHexString(batch));
        Assert.Equal(7, (byte)PeerFrameType.ForwardBatch);
    }

    [Fact]
    public void RoundTripsInOrder()
    {
        byte[][] frames = [.. Enumerable.Range(0, 50).Select(i => Frame(i % 2 == 0 ? PeerFrameType.ForwardRequest : PeerFrameType.ForwardReply, [.. Enumerable.Repeat((byte)i, i)]))];
        Assert.Equal(frames, Unpack(ForwardBatch.Pack(frames)));
    }

    [Theory]
    [InlineData("", "shorter than its count")]
    [InlineData("01000000", "ends inside frame 0")]
    [InlineData("0100000005000000" + "0102", "runs past the end")]
    [InlineData("01000000" + "02000000" + "0101", "type 1")]
    [InlineData("01000000" + "02000000" + "0106", "type 6")]
    [InlineData("01000000" + "02000000" + "0107", "type 7")]
    [InlineData("01000000" + "02000000" + "0202", "version 2")]
    [InlineData("01000000" + "02000000" + "0102" + "00", "1 bytes after")]
    [InlineData("FFFFFFFF" + "02000000" + "0102", "ends inside frame 1")]
    public void RefusesBrokenBatches(string hex, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => ForwardBatch.Unpack(Convert.FromHexString(hex), []));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FramesPostedDuringASendGoTogetherAfterIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var socket = new GatedWebSocket();
        await using var peer = new PeerSocket(socket, 1, "test", TimeProvider.System, ct);
        var first = Frame(PeerFrameType.ForwardRequest, 1);
        Assert.True(peer.Post(first));
        await socket.FirstSend.WaitAsync(TimeSpan.FromSeconds(10), ct);

        // The first send is held: these queue up behind it and leave as one batch, in order.
        byte[][] queued = [.. Enumerable.Range(2, 20).Select(i => Frame(PeerFrameType.ForwardReply, (byte)i))];
        foreach (var frame in queued)
        {
            Assert.True(peer.Post(frame));
        }

        socket.Open();
        await Until.TrueAsync(() => { lock (socket.Sent) { return socket.Sent.Count == 2; } }, TimeSpan.FromSeconds(10), () => $"{socket.Sent.Count} messages sent");
        Assert.Equal(first, socket.Sent[0]);
        Assert.Equal(queued, Unpack(socket.Sent[1]));

        // Alone again, a frame goes as itself.
        var last = Frame(PeerFrameType.ForwardRequest, 99);
        Assert.True(peer.Post(last));
        await Until.TrueAsync(() => { lock (socket.Sent) { return socket.Sent.Count == 3; } }, TimeSpan.FromSeconds(10), () => $"{socket.Sent.Count} messages sent");
        Assert.Equal(last, socket.Sent[2]);
    }
}
