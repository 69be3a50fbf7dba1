using AntiEtcd.Raft;

namespace AntiEtcd.Server.Cluster;

/// <summary>
/// The binary encoding of TinyRaft messages inside a <see cref="PeerFrameType.RaftBatch"/> frame
/// (docs/cluster-transport.md §3.2). Never JSON: entries and snapshots carry arbitrary bytes.
/// </summary>
/// <remarks>
/// <para>Layout of a batch payload: a varint message count, then for each message a varint length and the
/// message body. A body is: type (1 byte), varints From, To, Term, LogTerm, Index, Commit, RejectHint, a flags
/// byte (1 Reject, 2 Transfer, 4 snapshot present), zigzag varint Priority, varint-length Context, varint entry
/// count and entries (varint Term, varint Index, type byte, varint-length Data), then the snapshot if flagged
/// (varint Index, varint Term, varint voter count, varint voters, varint-length Data). Varints are unsigned
/// LEB128 of at most 10 bytes.</para>
/// <para>Decoded messages alias the payload's memory (entry data, context, snapshot data): the caller gives
/// the decoder a buffer it never reuses. The decoder throws only <see cref="InvalidDataException"/>.</para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
internal static class RaftMessageCodec
{
    private const byte FlagReject = 1;
    private const byte FlagTransfer = 2;
    private const byte FlagSnapshot = 4;

    // SPEC §9.4: the sender's state is incomplete (AppResp, HeartbeatResp); the snapshot is filtered (Snap).
    private const byte FlagIncomplete = 8;
    private const byte FlagFiltered = 16;
    private const byte KnownFlags = FlagReject | FlagTransfer | FlagSnapshot | FlagIncomplete | FlagFiltered;
    private const int MaxVarintLength = 10;

    /// <summary>The size of a whole frame (header, count, length-prefixed bodies) holding <paramref name="messages"/>.</summary>
    public static long GetFrameSize(ReadOnlySpan<Message> messages)
    {
        long size = PeerFrame.HeaderLength + VarintSize((ulong)messages.Length);
        foreach (var message in messages)
        {
            var body = GetBodySize(message);
            size += VarintSize((ulong)body) + body;
        }

        return size;
    }

    /// <summary>The size of one message inside a frame, its length prefix included.</summary>
    public static long GetFramedSize(Message message)
    {
        var body = GetBodySize(message);
        return VarintSize((ulong)body) + body;
    }

    /// <summary>Writes a <see cref="PeerFrameType.RaftBatch"/> frame; <paramref name="destination"/> holds exactly <see cref="GetFrameSize"/> bytes.</summary>
    /// <returns>The number of bytes written.</returns>
    public static int WriteFrame(ReadOnlySpan<Message> messages, Span<byte> destination)
    {
        PeerFrame.WriteHeader(destination, PeerFrameType.RaftBatch);
        var position = PeerFrame.HeaderLength;
        WriteVarint(destination, ref position, (ulong)messages.Length);
        foreach (var message in messages)
        {
            WriteVarint(destination, ref position, (ulong)GetBodySize(message));
            WriteBody(message, destination, ref position);
        }

        return position;
    }

    /// <summary>Encodes a whole frame into a new array (tests, tools).</summary>
    public static byte[] EncodeFrame(ReadOnlySpan<Message> messages)
    {
        var size = GetFrameSize(messages);
        if (size > PeerFrame.MaxFrameBytes)
        {
            throw new ArgumentException($"The batch needs {size} bytes, more than a peer frame may hold.", nameof(messages));
        }

        var buffer = new byte[size];
        var written = WriteFrame(messages, buffer);
        return written == buffer.Length ? buffer : throw new InvalidOperationException("Frame size mismatch.");
    }

    /// <summary>Decodes the payload of a <see cref="PeerFrameType.RaftBatch"/> frame, appending to <paramref name="messages"/>.</summary>
    /// <exception cref="InvalidDataException">The payload is malformed in any way.</exception>
    public static void ReadBatch(ReadOnlyMemory<byte> payload, List<Message> messages)
    {
        var reader = new Reader(payload);
        var count = reader.ReadCount(minBytesPerItem: 1);
        for (var i = 0; i < count; i++)
        {
            var length = reader.ReadLength();
            var body = new Reader(reader.ReadBytes(length));
            messages.Add(ReadBody(ref body));
            if (!body.AtEnd)
            {
                throw new InvalidDataException("Trailing bytes after a Raft message.");
            }
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("Trailing bytes after the last Raft message.");
        }
    }

    private static long GetBodySize(Message message)
    {
        long size = 1
            + VarintSize(message.From.Value) + VarintSize(message.To.Value) + VarintSize(message.Term)
            + VarintSize(message.LogTerm) + VarintSize(message.Index) + VarintSize(message.Commit)
            + VarintSize(message.RejectHint) + 1 + VarintSize(ZigZag(message.Priority))
            + VarintSize((ulong)message.Context.Length) + message.Context.Length
            + VarintSize((ulong)message.Entries.Count);
        var entries = message.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            size += VarintSize(entry.Term) + VarintSize(entry.Index) + 1 + VarintSize((ulong)entry.Data.Length) + entry.Data.Length;
        }

        if (message.Snapshot is { } snapshot)
        {
            var voters = snapshot.Metadata.Voters;
            size += VarintSize(snapshot.Index) + VarintSize(snapshot.Term) + VarintSize((ulong)voters.Count);
            for (var i = 0; i < voters.Count; i++)
            {
                size += VarintSize(voters[i].Value);
            }

            size += VarintSize((ulong)snapshot.Data.Length) + snapshot.Data.Length;
        }

        return size;
    }

    private static void WriteBody(Message message, Span<byte> destination, ref int position)
    {
        destination[position++] = (byte)message.Type;
        WriteVarint(destination, ref position, message.From.Value);
        WriteVarint(destination, ref position, message.To.Value);
        WriteVarint(destination, ref position, message.Term);
        WriteVarint(destination, ref position, message.LogTerm);
        WriteVarint(destination, ref position, message.Index);
        WriteVarint(destination, ref position, message.Commit);
        WriteVarint(destination, ref position, message.RejectHint);
        var flags = (byte)((message.Reject ? FlagReject : 0) | (message.Transfer ? FlagTransfer : 0) | (message.Snapshot is null ? 0 : FlagSnapshot)
            | (message.Incomplete ? FlagIncomplete : 0) | (message.Snapshot is { Filtered: true } ? FlagFiltered : 0));
        destination[position++] = flags;
        WriteVarint(destination, ref position, ZigZag(message.Priority));
        WriteBytes(destination, ref position, message.Context.Span);
        var entries = message.Entries;
        WriteVarint(destination, ref position, (ulong)entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            WriteVarint(destination, ref position, entry.Term);
            WriteVarint(destination, ref position, entry.Index);
            destination[position++] = (byte)entry.Type;
            WriteBytes(destination, ref position, entry.Data.Span);
        }

        if (message.Snapshot is { } snapshot)
        {
            WriteVarint(destination, ref position, snapshot.Index);
            WriteVarint(destination, ref position, snapshot.Term);
            var voters = snapshot.Metadata.Voters;
            WriteVarint(destination, ref position, (ulong)voters.Count);
            for (var i = 0; i < voters.Count; i++)
            {
                WriteVarint(destination, ref position, voters[i].Value);
            }

            WriteBytes(destination, ref position, snapshot.Data.Span);
        }
    }

    private static Message ReadBody(ref Reader reader)
    {
        var type = reader.ReadByte();
        if (type is < (byte)MessageType.App or > (byte)MessageType.ReadIndexResp)
        {
            throw new InvalidDataException($"Unknown Raft message type {type}.");
        }

        var from = reader.ReadVarint();
        var to = reader.ReadVarint();
        var term = reader.ReadVarint();
        var logTerm = reader.ReadVarint();
        var index = reader.ReadVarint();
        var commit = reader.ReadVarint();
        var rejectHint = reader.ReadVarint();
        var flags = reader.ReadByte();
        if ((flags & ~KnownFlags) != 0)
        {
            throw new InvalidDataException($"Unknown Raft message flags 0x{flags:x2}.");
        }

        var priority = UnZigZag(reader.ReadVarint());
        var context = reader.ReadBytes(reader.ReadLength());
        var entryCount = reader.ReadCount(minBytesPerItem: 4);
        var entries = entryCount == 0 ? [] : new Entry[entryCount];
        for (var i = 0; i < entries.Length; i++)
        {
            var entryTerm = reader.ReadVarint();
            var entryIndex = reader.ReadVarint();
            var entryType = reader.ReadByte();
            if (entryType > (byte)EntryType.Empty)
            {
                throw new InvalidDataException($"Unknown entry type {entryType}.");
            }

            entries[i] = new Entry(entryTerm, entryIndex, (EntryType)entryType, reader.ReadBytes(reader.ReadLength()));
        }

        Snapshot? snapshot = null;
        if ((flags & FlagSnapshot) != 0)
        {
            var snapshotIndex = reader.ReadVarint();
            var snapshotTerm = reader.ReadVarint();
            var voters = new NodeId[reader.ReadCount(minBytesPerItem: 1)];
            for (var i = 0; i < voters.Length; i++)
            {
                voters[i] = new NodeId(reader.ReadVarint());
            }

            snapshot = new Snapshot(new SnapshotMetadata(snapshotIndex, snapshotTerm, voters), reader.ReadBytes(reader.ReadLength()))
            {
                Filtered = (flags & FlagFiltered) != 0,
            };
        }
        else if ((flags & FlagFiltered) != 0)
        {
            throw new InvalidDataException("A Raft message marks a snapshot filtered but holds none.");
        }

        return new Message
        {
            Type = (MessageType)type,
            From = new NodeId(from),
            To = new NodeId(to),
            Term = term,
            LogTerm = logTerm,
            Index = index,
            Commit = commit,
            RejectHint = rejectHint,
            Reject = (flags & FlagReject) != 0,
            Transfer = (flags & FlagTransfer) != 0,
            Incomplete = (flags & FlagIncomplete) != 0,
            Priority = priority,
            Context = context,
            Entries = entries,
            Snapshot = snapshot,
        };
    }

    private static ulong ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    private static int UnZigZag(ulong value)
    {
        if (value > uint.MaxValue)
        {
            throw new InvalidDataException("Priority out of range.");
        }

        var v = (uint)value;
        return (int)(v >> 1) ^ -(int)(v & 1);
    }

    private static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private static void WriteVarint(Span<byte> destination, ref int position, ulong value)
    {
        while (value >= 0x80)
        {
            destination[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[position++] = (byte)value;
    }

    private static void WriteBytes(Span<byte> destination, ref int position, ReadOnlySpan<byte> bytes)
    {
        WriteVarint(destination, ref position, (ulong)bytes.Length);
        bytes.CopyTo(destination[position..]);
        position += bytes.Length;
    }

    /// <summary>A bounds-checked cursor over a payload; every failure is an <see cref="InvalidDataException"/>.</summary>
    private ref struct Reader(ReadOnlyMemory<byte> buffer)
    {
        private readonly ReadOnlyMemory<byte> _buffer = buffer;
        private int _position;

        public readonly bool AtEnd => _position == _buffer.Length;

        private readonly int Remaining => _buffer.Length - _position;

        public byte ReadByte()
        {
            if (_position >= _buffer.Length)
            {
                throw Truncated();
            }

            return _buffer.Span[_position++];
        }

        public ulong ReadVarint()
        {
            var span = _buffer.Span;
            ulong value = 0;
            for (var i = 0; i < MaxVarintLength; i++)
            {
                if (_position >= span.Length)
                {
                    throw Truncated();
                }

                var b = span[_position++];
                if (i == MaxVarintLength - 1 && b > 1)
                {
                    throw new InvalidDataException("Varint overflows 64 bits.");
                }

                value |= (ulong)(b & 0x7f) << (7 * i);
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("Varint longer than 10 bytes.");
        }

        /// <summary>A byte length that must fit in what is left.</summary>
        public int ReadLength()
        {
            var length = ReadVarint();
            return length <= (ulong)Remaining ? (int)length : throw Truncated();
        }

        /// <summary>An item count, bounded by what is left so a hostile count cannot allocate much.</summary>
        public int ReadCount(int minBytesPerItem)
        {
            var count = ReadVarint();
            return count <= (ulong)(Remaining / minBytesPerItem) ? (int)count : throw Truncated();
        }

        public ReadOnlyMemory<byte> ReadBytes(int length)
        {
            if (length > Remaining)
            {
                throw Truncated();
            }

            var bytes = _buffer.Slice(_position, length);
            _position += length;
            return bytes;
        }

        private static InvalidDataException Truncated() => new("Raft message truncated or a length exceeds the frame.");
    }
}
