using AntiEtcd.Raft;
using AntiEtcd.Server.Cluster;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>The binary Raft frame (docs/cluster-transport.md §3): golden bytes, round trips, hostile input.</summary>
public sealed class RaftMessageCodecTests
{
    private static readonly Message SmallHeartbeat = new()
    {
        Type = MessageType.Heartbeat,
        From = new NodeId(1),
        To = new NodeId(2),
        Term = 3,
        Commit = 3,
        Context = new byte[] { 0xAA },
    };

    private static readonly Message EveryField = new()
    {
        Type = MessageType.Snap,
        From = new NodeId(300),
        To = new NodeId(1),
        Term = 2,
        RejectHint = 5,
        Reject = true,
        Transfer = true,
        Priority = -1,
        Entries = [new Entry(2, 10, EntryType.Normal, new byte[] { 1, 2 })],
        Snapshot = new Snapshot(new SnapshotMetadata(9, 2, [new NodeId(1), new NodeId(300)]), new byte[] { 0xFF }),
    };

    [Fact]
    public void GoldenFrame()
    {
        // Written out by hand from the layout in docs/cluster-transport.md; changing it means a new envelope version.
        const string expected =
            "0101" + "02"
            + "0D" + "07" + "01" + "02" + "03" + "00" + "00" + "03" + "00" + "00" + "00" + "01AA" + "00"
            + "1B" + "09" + "AC02" + "01" + "02" + "00" + "00" + "00" + "05" + "07" + "01" + "00"
            + "01" + "02" + "0A" + "00" + "020102"
            + "09" + "02" + "02" + "01" + "AC02" + "01FF";
        Assert.Equal(expected, Convert.ToHexString(RaftMessageCodec.EncodeFrame([SmallHeartbeat, EveryField])));
    }

    [Fact]
    public void IncompleteAndFilteredAreFlagBits8And16()
    {
        var message = EveryField with { Incomplete = true, Snapshot = EveryField.Snapshot! with { Filtered = true } };
        const string expected =
            "0101" + "01"
            + "1B" + "09" + "AC02" + "01" + "02" + "00" + "00" + "00" + "05" + "1F" + "01" + "00"
            + "01" + "02" + "0A" + "00" + "020102"
            + "09" + "02" + "02" + "01" + "AC02" + "01FF";
        Assert.Equal(expected, Convert.ToHexString(RaftMessageCodec.EncodeFrame([message])));
        var decoded = Decode(Convert.FromHexString(expected))[0];
        Assert.True(decoded.Incomplete);
        Assert.True(decoded.Snapshot!.Filtered);
    }

    [Fact]
    public void FrameTypesAreFrozen()
    {
        Assert.Equal(1, PeerFrame.Version);
        Assert.Equal(1, (byte)PeerFrameType.RaftBatch);
        Assert.Equal(2, (byte)PeerFrameType.ForwardRequest);
        Assert.Equal(3, (byte)PeerFrameType.ForwardReply);
        Assert.Equal(4, (byte)PeerFrameType.ReadIndexRequest);
        Assert.Equal(5, (byte)PeerFrameType.ReadIndexReply);
        Assert.Equal(6, (byte)PeerFrameType.RaftChunk);
        Assert.Equal(64 * 1024 * 1024, PeerFrame.MaxFrameBytes);
    }

    /// <summary>docs/cluster-transport.md §3.4: envelope, transfer id, total length, offset (u64 little-endian), piece.</summary>
    [Fact]
    public void ChunkFrameLayoutIsFrozen()
    {
        var frame = new byte[PeerChunk.HeaderLength + 2];
        var written = PeerChunk.WriteFrame(frame, 0x0102, 0x0A0B0C, 3, [0xAA, 0xBB]);
        Assert.Equal(frame.Length, written);
        Assert.Equal("0106" + "0201000000000000" + "0C0B0A0000000000" + "0300000000000000" + "AABB", Convert.ToHexString(frame));
        Assert.Equal(PeerFrameType.RaftChunk, PeerFrame.ReadHeader(frame, out var payload));
        PeerChunk.Read(payload, out var id, out var total, out var offset, out var piece);
        Assert.Equal((0x0102UL, 0x0A0B0CUL, 3UL), (id, total, offset));
        Assert.Equal([0xAA, 0xBB], piece.ToArray());
    }

    [Fact]
    public void ChunksAreReassembledInOrderAndTheBufferIsHandedOver()
    {
        var payload = new byte[200 * 1024];
        new Random(3).NextBytes(payload);
        var assembler = new RaftChunkAssembler(Array.MaxLength);
        ReadOnlyMemory<byte> complete = default;
        for (var offset = 0; offset < payload.Length; offset += 1000)
        {
            var length = Math.Min(1000, payload.Length - offset);
            var frame = new byte[PeerChunk.HeaderLength + length];
            PeerChunk.WriteFrame(frame, 9, payload.Length, offset, payload.AsSpan(offset, length));
            PeerFrame.ReadHeader(frame, out var chunk);
            Assert.Equal(offset + length == payload.Length, assembler.Add(chunk, out complete));
            Assert.Equal(offset + length < payload.Length, assembler.InProgress);
        }

        Assert.Equal(payload, complete.ToArray());
    }

    [Fact]
    public void EveryFieldRoundTrips()
    {
        var decoded = Decode(RaftMessageCodec.EncodeFrame([SmallHeartbeat, EveryField]));
        Assert.Equal(2, decoded.Count);
        AssertSame(SmallHeartbeat, decoded[0]);
        AssertSame(EveryField, decoded[1]);
    }

    [Fact]
    public void ExtremeValuesRoundTrip()
    {
        var message = new Message
        {
            Type = MessageType.ReadIndexResp,
            From = new NodeId(ulong.MaxValue),
            To = new NodeId(ulong.MaxValue - 1),
            Term = ulong.MaxValue,
            LogTerm = ulong.MaxValue,
            Index = ulong.MaxValue,
            Commit = ulong.MaxValue,
            RejectHint = ulong.MaxValue,
            Priority = int.MinValue,
        };
        AssertSame(message, Decode(RaftMessageCodec.EncodeFrame([message]))[0]);
        var max = message with { Priority = int.MaxValue };
        AssertSame(max, Decode(RaftMessageCodec.EncodeFrame([max]))[0]);
    }

    [Fact]
    public void SizesMatchWhatIsWritten()
    {
        Message[] messages = [SmallHeartbeat, EveryField];
        var frame = RaftMessageCodec.EncodeFrame(messages);
        Assert.Equal(frame.Length, RaftMessageCodec.GetFrameSize(messages));
        Assert.Equal(frame.Length - 3, RaftMessageCodec.GetFramedSize(SmallHeartbeat) + RaftMessageCodec.GetFramedSize(EveryField));
    }

    [Fact]
    public void DecodedBuffersAliasTheFrame()
    {
        var frame = RaftMessageCodec.EncodeFrame([EveryField]);
        var decoded = Decode(frame)[0];
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(decoded.Entries[0].Data, out var segment));
        Assert.Same(frame, segment.Array);
    }

    [Theory]
    [InlineData("")]
    [InlineData("01")]
    [InlineData("0201")]
    public void ABadEnvelopeIsInvalidData(string hex) =>
        Assert.Throws<InvalidDataException>(() => PeerFrame.ReadHeader(Convert.FromHexString(hex), out _));

    [Theory]
    [InlineData("", "empty payload")]
    [InlineData("01", "count without message")]
    [InlineData("0100", "empty message")]
    [InlineData("01010D", "unknown message type")]
    [InlineData("0101" + "00", "type 0")]
    [InlineData("02" + "0D07010203000003000000" + "01AA00", "count larger than the messages")]
    [InlineData("01" + "0F" + "07010203000003000000" + "01AA0000", "trailing byte inside a message")]
    [InlineData("01" + "0D" + "07010203000003000000" + "01AA00" + "00", "trailing byte after the batch")]
    [InlineData("01" + "0D" + "07010203000003002000" + "01AA00", "unknown flag")]
    [InlineData("01" + "0D" + "07010203000003001000" + "01AA00", "filtered flag without a snapshot")]
    [InlineData("01" + "0D" + "07010203000003000000" + "05AA00", "context longer than the message")]
    [InlineData("01" + "15" + "07" + "FFFFFFFFFFFFFFFFFF7F" + "0203000003000000" + "00" + "00", "varint over 64 bits")]
    [InlineData("01" + "12" + "07010203000003000000" + "00" + "FFFFFFFF0F" + "000000", "entry count larger than the message")]
    [InlineData("01" + "10" + "07010203000003000000" + "00" + "01" + "0101" + "02" + "00", "unknown entry type")]
    [InlineData("01" + "10" + "070102030000030000" + "FFFFFFFF1F" + "00" + "00", "priority over 32 bits")]
    public void MalformedPayloadsAreInvalidData(string hex, string why)
    {
        var exception = Record.Exception(() => RaftMessageCodec.ReadBatch(Convert.FromHexString(hex), []));
        Assert.True(exception is InvalidDataException, $"{why}: {exception?.GetType().Name ?? "no exception"}");
    }

    [Fact]
    public void TheHandWrittenBaseMessageOfTheMalformedCasesIsValid()
    {
        var messages = new List<Message>();
        RaftMessageCodec.ReadBatch(Convert.FromHexString("01" + "0D" + "07010203000003000000" + "01AA00"), messages);
        AssertSame(SmallHeartbeat, Assert.Single(messages));
    }

    /// <summary>Random valid batches round-trip; random corruptions of them decode or throw InvalidDataException, nothing else.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FuzzedFramesOnlyEverThrowInvalidData(int seed)
    {
        var random = new Random(seed);
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("ANTIETCD_FUZZ_INPUTS"), out var n) ? n : 3000;
        for (var i = 0; i < iterations; i++)
        {
            var messages = Enumerable.Range(0, random.Next(1, 4)).Select(_ => RandomMessage(random)).ToArray();
            var frame = RaftMessageCodec.EncodeFrame(messages);
            var decoded = Decode(frame);
            for (var m = 0; m < messages.Length; m++)
            {
                AssertSame(messages[m], decoded[m]);
            }

            var mutated = Mutate(random, frame);
            try
            {
                var type = PeerFrame.ReadHeader(mutated, out var payload);
                if (type == PeerFrameType.RaftBatch)
                {
                    RaftMessageCodec.ReadBatch(payload, []);
                }
            }
            catch (InvalidDataException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed} iteration {i}: {e.GetType().Name} for {Convert.ToHexString(mutated)}: {e.Message}");
            }
        }
    }

    private static List<Message> Decode(byte[] frame)
    {
        Assert.Equal(PeerFrameType.RaftBatch, PeerFrame.ReadHeader(frame, out var payload));
        var messages = new List<Message>();
        RaftMessageCodec.ReadBatch(payload, messages);
        return messages;
    }

    private static byte[] Mutate(Random random, byte[] frame)
    {
        var bytes = frame.ToList();
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            switch (random.Next(5))
            {
                case 0 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes = bytes.Take(random.Next(bytes.Count + 1)).ToList();
                    break;
                case 3:
                    bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256));
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        bytes.RemoveAt(random.Next(bytes.Count));
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    private static ulong RandomUInt64(Random random) => random.Next(3) switch
    {
        0 => (ulong)random.Next(0, 200),
        1 => (ulong)random.NextInt64(),
        _ => ulong.MaxValue - (ulong)random.Next(0, 3),
    };

    private static byte[] RandomBytes(Random random, int max)
    {
        var bytes = new byte[random.Next(0, max)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static Message RandomMessage(Random random) => new()
    {
        Type = (MessageType)random.Next(1, 13),
        From = new NodeId(RandomUInt64(random)),
        To = new NodeId(RandomUInt64(random)),
        Term = RandomUInt64(random),
        LogTerm = RandomUInt64(random),
        Index = RandomUInt64(random),
        Commit = RandomUInt64(random),
        RejectHint = RandomUInt64(random),
        Reject = random.Next(2) == 0,
        Transfer = random.Next(2) == 0,
        Incomplete = random.Next(2) == 0,
        Priority = random.Next(3) == 0 ? random.Next(int.MinValue, int.MaxValue) : random.Next(0, 10),
        Context = RandomBytes(random, 20),
        Entries = [.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => new Entry(RandomUInt64(random), RandomUInt64(random), (EntryType)random.Next(2), RandomBytes(random, 40)))],
        Snapshot = random.Next(4) == 0
            ? new Snapshot(new SnapshotMetadata(RandomUInt64(random), RandomUInt64(random), [.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => new NodeId(RandomUInt64(random)))]), RandomBytes(random, 60)) { Filtered = random.Next(2) == 0 }
            : null,
    };

    private static void AssertSame(Message expected, Message actual)
    {
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.From, actual.From);
        Assert.Equal(expected.To, actual.To);
        Assert.Equal(expected.Term, actual.Term);
        Assert.Equal(expected.LogTerm, actual.LogTerm);
        Assert.Equal(expected.Index, actual.Index);
        Assert.Equal(expected.Commit, actual.Commit);
        Assert.Equal(expected.RejectHint, actual.RejectHint);
        Assert.Equal(expected.Reject, actual.Reject);
        Assert.Equal(expected.Transfer, actual.Transfer);
        Assert.Equal(expected.Incomplete, actual.Incomplete);
        Assert.Equal(expected.Priority, actual.Priority);
        Assert.Equal(expected.Context.ToArray(), actual.Context.ToArray());
        Assert.Equal(expected.Entries.Count, actual.Entries.Count);
        for (var i = 0; i < expected.Entries.Count; i++)
        {
            Assert.Equal(expected.Entries[i].Term, actual.Entries[i].Term);
            Assert.Equal(expected.Entries[i].Index, actual.Entries[i].Index);
            Assert.Equal(expected.Entries[i].Type, actual.Entries[i].Type);
            Assert.Equal(expected.Entries[i].Data.ToArray(), actual.Entries[i].Data.ToArray());
        }

        Assert.Equal(expected.Snapshot is null, actual.Snapshot is null);
        if (expected.Snapshot is { } snapshot)
        {
            Assert.Equal(snapshot.Index, actual.Snapshot!.Index);
            Assert.Equal(snapshot.Term, actual.Snapshot.Term);
            Assert.Equal(snapshot.Metadata.Voters, actual.Snapshot.Metadata.Voters);
            Assert.Equal(snapshot.Filtered, actual.Snapshot.Filtered);
            Assert.Equal(snapshot.Data.ToArray(), actual.Snapshot.Data.ToArray());
        }
    }
}
