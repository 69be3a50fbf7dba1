using System.Buffers.Binary;
using AntiEtcd.Raft;

namespace AntiEtcd.Server.Node;

/// <summary>
/// The payloads a cluster node writes into its WAL records (docs/wal-format.md §2.3 leaves them to the server): a Raft
/// entry and the Raft hard state. Fixed-width little-endian fields: they are small next to the commands they carry.
/// </summary>
internal static class RaftEntryCodec
{
    private const int EntryHeader = 9;
    private const int HardStateLength = 24;

    /// <summary>An entry's payload: type (1 byte), term (8 bytes), then the command bytes. The index is the record's.</summary>
    public static byte[] EncodeEntry(Entry entry)
    {
        var payload = new byte[EntryHeader + entry.Data.Length];
        payload[0] = (byte)entry.Type;
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(1), entry.Term);
        entry.Data.Span.CopyTo(payload.AsSpan(EntryHeader));
        return payload;
    }

    /// <summary>Reads an entry's payload back; the data aliases <paramref name="payload"/>.</summary>
    /// <exception cref="InvalidDataException">Too short, or an unknown entry type.</exception>
    public static Entry DecodeEntry(ulong index, ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        if (span.Length < EntryHeader || span[0] > (byte)EntryType.Empty)
        {
            throw new InvalidDataException($"log entry {index}: not a Raft entry");
        }

        return new Entry(BinaryPrimitives.ReadUInt64LittleEndian(span[1..]), index, (EntryType)span[0], payload[EntryHeader..]);
    }

    /// <summary>The hard state's payload: term, vote (member ID), commit.</summary>
    public static byte[] EncodeHardState(HardState state)
    {
        var payload = new byte[HardStateLength];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, state.Term);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(8), state.Vote.Value);
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(16), state.Commit);
        return payload;
    }

    /// <summary>Reads a hard state payload back.</summary>
    /// <exception cref="InvalidDataException">Not 24 bytes.</exception>
    public static HardState DecodeHardState(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != HardStateLength)
        {
            throw new InvalidDataException("hard state record: not a Raft hard state");
        }

        return new HardState(
            BinaryPrimitives.ReadUInt64LittleEndian(payload),
            new NodeId(BinaryPrimitives.ReadUInt64LittleEndian(payload[8..])),
            BinaryPrimitives.ReadUInt64LittleEndian(payload[16..]));
    }

    /// <summary>A snapshot record's payload: the snapshot's term (the index is the record's).</summary>
    public static byte[] EncodeSnapshotTerm(ulong term)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, term);
        return payload;
    }
}
