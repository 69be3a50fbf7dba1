using System.Buffers;
using AntiEtcd.Api;
using AntiEtcd.Server.Hosting;

namespace AntiEtcd.Server.Node;

/// <summary>
/// The binary encoding of a <see cref="Command"/>, the payload of every logged write (never JSON,
/// STYLE.md). Layout, byte by byte: docs/wal-format.md §8.1.
/// </summary>
/// <remarks>
/// A format byte, the type, then the fields: int64 values as varints (LEB128 of the two's
/// complement), byte strings with a varint length, booleans packed into one flags byte per
/// request, enums as the varint of their <see cref="int"/> value. Every field a request holds is
/// kept, also those the store ignores or refuses (an out-of-range enum, an op with two requests
/// set), so that a replayed command is refused or applied exactly as it was the first time.
/// The encoding is canonical: decoding and re-encoding gives the same bytes. Stateless and
/// thread-safe.
/// </remarks>
internal static class CommandCodec
{
    /// <summary>The format this build writes and the only one it reads.</summary>
    public const byte FormatVersion = 1;

    /// <summary>
    /// The deepest nesting of txns the codec accepts (1 is a txn without nested txns), so that a
    /// hostile record cannot exhaust the stack. A txn's op budget bounds its depth (128 by
    /// default); proposers must not log a deeper one, which <see cref="Encode"/> refuses.
    /// </summary>
    public const int MaxTxnDepth = 1024;

    private const byte PutPrevKv = 1;
    private const byte PutIgnoreValue = 2;
    private const byte PutIgnoreLease = 4;

    // A put the persist filter made volatile (SPEC §9.4): stored with an empty value, replayed as
    // a deletion at the same revision. Only in a command's persisted form.
    private const byte PutVolatile = 8;
    private const byte DeletePrevKv = 1;
    private const byte RangeSerializable = 1;
    private const byte RangeKeysOnly = 2;
    private const byte RangeCountOnly = 4;
    private const byte TxnSerializable = 1;
    private const byte OpRange = 1;
    private const byte OpPut = 2;
    private const byte OpDeleteRange = 4;
    private const byte OpTxn = 8;

    // Smallest encodings, for the up-front count checks (every field takes at least one byte).
    private const int MinCompareSize = 9;
    private const int MinOpSize = 1;
    private const int MinImportKeySize = 5;

    // Set in the type byte of a filtered persisted form (SPEC §9.4).
    private const byte TypeFiltered = 0x80;

    /// <summary>Appends the encoding of <paramref name="command"/> to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">The command's type is unknown, the member its type
    /// names is null, an import holds a null key, a txn holds a null compare or op, or txns nest deeper than
    /// <see cref="MaxTxnDepth"/>: nothing that would not decode is ever written.</exception>
    public static void Encode(Command command, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(output);

        // Check first, so that a refused command leaves nothing half-written in the output.
        switch (command.Type)
        {
            case CommandType.Put when command.Put is null:
            case CommandType.DeleteRange when command.DeleteRange is null:
            case CommandType.Txn when command.Txn is null:
                throw new ArgumentException($"A {command.Type} command needs its request.", nameof(command));
            case CommandType.Txn:
                CheckTxn(command.Txn!, 1);
                break;
            case CommandType.Import:
                CheckImport(command.Keys);
                break;
            case CommandType.VolatileReset:
                CheckImport(command.Keys);
                ArgumentNullException.ThrowIfNull(command.Leases, nameof(command));
                break;
            case CommandType.Put or CommandType.DeleteRange or CommandType.Compact or CommandType.LeaseGrant or CommandType.LeaseRevoke:
                break;
            default:
                throw new ArgumentException($"Unknown command type {(byte)command.Type}.", nameof(command));
        }

        var writer = new CommandWriter(output);
        writer.WriteByte(FormatVersion);
        writer.WriteByte((byte)((byte)command.Type | (command.Filtered ? TypeFiltered : 0)));
        switch (command.Type)
        {
            case CommandType.Put:
                WritePut(ref writer, command.Put!, command.VolatilePuts);
                break;
            case CommandType.DeleteRange:
                WriteDeleteRange(ref writer, command.DeleteRange!);
                break;
            case CommandType.Txn:
                WriteTxn(ref writer, command.Txn!, command.VolatilePuts);
                break;
            case CommandType.Compact:
                writer.WriteVarint(command.Revision);
                break;
            case CommandType.LeaseGrant:
                writer.WriteVarint(command.LeaseId);
                writer.WriteVarint(command.Ttl);
                break;
            case CommandType.Import:
                WriteImport(ref writer, command.Revision, command.Keys!);
                break;
            case CommandType.VolatileReset:
                WriteVolatileReset(ref writer, command);
                break;
            default:
                writer.WriteVarint(command.LeaseId);
                break;
        }

        writer.Flush();
    }

    /// <summary>The encoding of <paramref name="command"/> as an array of its own (a proposal's or a log entry's payload).</summary>
    /// <exception cref="ArgumentException">As <see cref="Encode"/>.</exception>
    public static byte[] EncodeToArray(Command command)
    {
        using var buffer = new PooledBufferWriter();
        Encode(command, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Whether an encoded command is a filtered persisted form (SPEC §9.4), without decoding it.</summary>
    public static bool IsFiltered(ReadOnlySpan<byte> data) => data.Length >= 2 && (data[1] & TypeFiltered) != 0;

    /// <summary>Decodes one command; the data must hold exactly one.</summary>
    /// <remarks>Byte fields of the result are fresh arrays, owned by the result (the store keeps them).</remarks>
    /// <exception cref="InvalidDataException">Anything malformed: an unknown format version or type,
    /// truncation, trailing bytes, unknown flag bits, a non-minimal or overlong varint, a count or
    /// length past the end, txns nested deeper than <see cref="MaxTxnDepth"/>. The message gives
    /// the byte offset. No other exception type is thrown.</exception>
    public static Command Decode(ReadOnlySpan<byte> data)
    {
        var reader = new CommandReader(data);
        var version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw CommandReader.Corrupt(0, $"unknown format version {version} (this build reads {FormatVersion})");
        }

        var typeByte = reader.ReadByte();
        var filtered = (typeByte & TypeFiltered) != 0;
        var type = (CommandType)(typeByte & ~TypeFiltered);
        HashSet<PutRequest>? volatilePuts = null;
        var command = type switch
        {
            CommandType.Put => new Command { Type = type, Put = ReadPut(ref reader, ref volatilePuts) },
            CommandType.DeleteRange => new Command { Type = type, DeleteRange = ReadDeleteRange(ref reader) },
            CommandType.Txn => new Command { Type = type, Txn = ReadTxn(ref reader, 1, ref volatilePuts) },
            CommandType.Compact => new Command { Type = type, Revision = reader.ReadVarint() },
            CommandType.LeaseGrant => new Command { Type = type, LeaseId = reader.ReadVarint(), Ttl = reader.ReadVarint() },
            CommandType.LeaseRevoke => new Command { Type = type, LeaseId = reader.ReadVarint() },
            CommandType.Import => new Command { Type = type, Revision = reader.ReadVarint(), Keys = ReadImportKeys(ref reader) },
            CommandType.VolatileReset => ReadVolatileReset(ref reader),
            _ => throw CommandReader.Corrupt(1, $"unknown command type {typeByte}"),
        };

        if (reader.Remaining != 0)
        {
            throw CommandReader.Corrupt(reader.Position, $"{reader.Remaining} unexpected bytes after the command");
        }

        if (volatilePuts is not null || filtered)
        {
            command = new Command
            {
                Type = command.Type,
                Put = command.Put,
                DeleteRange = command.DeleteRange,
                Txn = command.Txn,
                Revision = command.Revision,
                LeaseId = command.LeaseId,
                Ttl = command.Ttl,
                Keys = command.Keys,
                Leases = command.Leases,
                VolatilePuts = volatilePuts,
                Filtered = filtered,
            };
        }

        return command;
    }

    private static void CheckImport(IReadOnlyList<KeyValue>? keys)
    {
        if (keys is null)
        {
            throw new ArgumentException("An Import command needs its keys.", nameof(keys));
        }

        for (var i = 0; i < keys.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(keys[i], nameof(keys));
        }
    }

    /// <summary>The file's revision, the key count, then per key: key, value, create_revision, mod_revision, version.</summary>
    private static void WriteImport(ref CommandWriter writer, long revision, IReadOnlyList<KeyValue> keys)
    {
        writer.WriteVarint(revision);
        writer.WriteVarint(keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            var kv = keys[i];
            writer.WriteBytes(kv.Key.Span);
            writer.WriteBytes(kv.Value.Span);
            writer.WriteVarint(kv.CreateRevision);
            writer.WriteVarint(kv.ModRevision);
            writer.WriteVarint(kv.Version);
        }
    }

    private static KeyValue[] ReadImportKeys(ref CommandReader reader)
    {
        var keys = new KeyValue[reader.ReadCount(MinImportKeySize, "key count")];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = new KeyValue
            {
                Key = reader.ReadBytes(),
                Value = reader.ReadBytes(),
                CreateRevision = reader.ReadVarint(),
                ModRevision = reader.ReadVarint(),
                Version = reader.ReadVarint(),
            };
        }

        return keys;
    }

    /// <summary>The leases (count, then ID and TTL each), then an import's fields with the new revision as its revision, then each key's lease.</summary>
    private static void WriteVolatileReset(ref CommandWriter writer, Command command)
    {
        writer.WriteVarint(command.Leases!.Count);
        foreach (var (id, ttl) in command.Leases)
        {
            writer.WriteVarint(id);
            writer.WriteVarint(ttl);
        }

        WriteImport(ref writer, command.Revision, command.Keys!);
        foreach (var kv in command.Keys!)
        {
            writer.WriteVarint(kv.Lease);
        }
    }

    private static Command ReadVolatileReset(ref CommandReader reader)
    {
        var leases = new (long Id, long Ttl)[reader.ReadCount(2, "lease count")];
        for (var i = 0; i < leases.Length; i++)
        {
            leases[i] = (reader.ReadVarint(), reader.ReadVarint());
        }

        var revision = reader.ReadVarint();
        var keys = ReadImportKeys(ref reader);
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = new KeyValue
            {
                Key = keys[i].Key,
                Value = keys[i].Value,
                CreateRevision = keys[i].CreateRevision,
                ModRevision = keys[i].ModRevision,
                Version = keys[i].Version,
                Lease = reader.ReadVarint(),
            };
        }

        return new Command { Type = CommandType.VolatileReset, Revision = revision, Keys = keys, Leases = leases };
    }

    private static void CheckTxn(TxnRequest txn, int depth)
    {
        if (depth > MaxTxnDepth)
        {
            throw new ArgumentException($"Txns nest deeper than {MaxTxnDepth} levels.", nameof(txn));
        }

        ArgumentNullException.ThrowIfNull(txn.Compare, nameof(TxnRequest.Compare));
        for (var i = 0; i < txn.Compare.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(txn.Compare[i], nameof(TxnRequest.Compare));
        }

        CheckOps(txn.Success, depth);
        CheckOps(txn.Failure, depth);
    }

    private static void CheckOps(IReadOnlyList<RequestOp> ops, int depth)
    {
        ArgumentNullException.ThrowIfNull(ops);
        for (var i = 0; i < ops.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(ops[i], nameof(ops));
            if (ops[i].RequestTxn is { } nested)
            {
                CheckTxn(nested, depth + 1);
            }
        }
    }

    private static void WritePut(ref CommandWriter writer, PutRequest r, IReadOnlySet<PutRequest>? volatilePuts)
    {
        writer.WriteByte((byte)((r.PrevKv ? PutPrevKv : 0) | (r.IgnoreValue ? PutIgnoreValue : 0) | (r.IgnoreLease ? PutIgnoreLease : 0)
            | (volatilePuts is not null && volatilePuts.Contains(r) ? PutVolatile : 0)));
        writer.WriteBytes(r.Key.Span);
        writer.WriteBytes(r.Value.Span);
        writer.WriteVarint(r.Lease);
    }

    private static PutRequest ReadPut(ref CommandReader reader, ref HashSet<PutRequest>? volatilePuts)
    {
        var flags = reader.ReadFlags(PutPrevKv | PutIgnoreValue | PutIgnoreLease | PutVolatile, "put");
        var put = new PutRequest
        {
            PrevKv = (flags & PutPrevKv) != 0,
            IgnoreValue = (flags & PutIgnoreValue) != 0,
            IgnoreLease = (flags & PutIgnoreLease) != 0,
            Key = reader.ReadBytes(),
            Value = reader.ReadBytes(),
            Lease = reader.ReadVarint(),
        };
        if ((flags & PutVolatile) != 0)
        {
            (volatilePuts ??= new HashSet<PutRequest>(ReferenceEqualityComparer.Instance)).Add(put);
        }

        return put;
    }

    private static void WriteDeleteRange(ref CommandWriter writer, DeleteRangeRequest r)
    {
        writer.WriteByte(r.PrevKv ? DeletePrevKv : (byte)0);
        writer.WriteBytes(r.Key.Span);
        writer.WriteBytes(r.RangeEnd.Span);
    }

    private static DeleteRangeRequest ReadDeleteRange(ref CommandReader reader)
    {
        var flags = reader.ReadFlags(DeletePrevKv, "delete range");
        return new DeleteRangeRequest
        {
            PrevKv = (flags & DeletePrevKv) != 0,
            Key = reader.ReadBytes(),
            RangeEnd = reader.ReadBytes(),
        };
    }

    private static void WriteRange(ref CommandWriter writer, RangeRequest r)
    {
        writer.WriteByte((byte)((r.Serializable ? RangeSerializable : 0) | (r.KeysOnly ? RangeKeysOnly : 0) | (r.CountOnly ? RangeCountOnly : 0)));
        writer.WriteBytes(r.Key.Span);
        writer.WriteBytes(r.RangeEnd.Span);
        writer.WriteVarint(r.Limit);
        writer.WriteVarint(r.Revision);
        writer.WriteVarint((int)r.SortOrder);
        writer.WriteVarint((int)r.SortTarget);
        writer.WriteVarint(r.MinModRevision);
        writer.WriteVarint(r.MaxModRevision);
        writer.WriteVarint(r.MinCreateRevision);
        writer.WriteVarint(r.MaxCreateRevision);
    }

    private static RangeRequest ReadRange(ref CommandReader reader)
    {
        var flags = reader.ReadFlags(RangeSerializable | RangeKeysOnly | RangeCountOnly, "range");
        return new RangeRequest
        {
            Serializable = (flags & RangeSerializable) != 0,
            KeysOnly = (flags & RangeKeysOnly) != 0,
            CountOnly = (flags & RangeCountOnly) != 0,
            Key = reader.ReadBytes(),
            RangeEnd = reader.ReadBytes(),
            Limit = reader.ReadVarint(),
            Revision = reader.ReadVarint(),
            SortOrder = (SortOrder)reader.ReadEnum("sort_order"),
            SortTarget = (SortTarget)reader.ReadEnum("sort_target"),
            MinModRevision = reader.ReadVarint(),
            MaxModRevision = reader.ReadVarint(),
            MinCreateRevision = reader.ReadVarint(),
            MaxCreateRevision = reader.ReadVarint(),
        };
    }

    private static void WriteCompare(ref CommandWriter writer, Compare c)
    {
        writer.WriteVarint((int)c.Result);
        writer.WriteVarint((int)c.Target);
        writer.WriteBytes(c.Key.Span);
        writer.WriteBytes(c.RangeEnd.Span);
        writer.WriteVarint(c.Version);
        writer.WriteVarint(c.CreateRevision);
        writer.WriteVarint(c.ModRevision);
        writer.WriteBytes(c.Value.Span);
        writer.WriteVarint(c.Lease);
    }

    private static Compare ReadCompare(ref CommandReader reader) => new()
    {
        Result = (CompareResult)reader.ReadEnum("compare result"),
        Target = (CompareTarget)reader.ReadEnum("compare target"),
        Key = reader.ReadBytes(),
        RangeEnd = reader.ReadBytes(),
        Version = reader.ReadVarint(),
        CreateRevision = reader.ReadVarint(),
        ModRevision = reader.ReadVarint(),
        Value = reader.ReadBytes(),
        Lease = reader.ReadVarint(),
    };

    private static void WriteTxn(ref CommandWriter writer, TxnRequest txn, IReadOnlySet<PutRequest>? volatilePuts)
    {
        writer.WriteByte(txn.Serializable ? TxnSerializable : (byte)0);
        writer.WriteVarint(txn.Compare.Count);
        for (var i = 0; i < txn.Compare.Count; i++)
        {
            WriteCompare(ref writer, txn.Compare[i]);
        }

        WriteOps(ref writer, txn.Success, volatilePuts);
        WriteOps(ref writer, txn.Failure, volatilePuts);
    }

    private static TxnRequest ReadTxn(ref CommandReader reader, int depth, ref HashSet<PutRequest>? volatilePuts)
    {
        if (depth > MaxTxnDepth)
        {
            throw CommandReader.Corrupt(reader.Position, $"txns nest deeper than {MaxTxnDepth} levels");
        }

        var flags = reader.ReadFlags(TxnSerializable, "txn");
        var compares = new Compare[reader.ReadCount(MinCompareSize, "compare count")];
        for (var i = 0; i < compares.Length; i++)
        {
            compares[i] = ReadCompare(ref reader);
        }

        var success = ReadOps(ref reader, depth, ref volatilePuts);
        var failure = ReadOps(ref reader, depth, ref volatilePuts);
        return new TxnRequest
        {
            Serializable = (flags & TxnSerializable) != 0,
            Compare = compares,
            Success = success,
            Failure = failure,
        };
    }

    private static void WriteOps(ref CommandWriter writer, IReadOnlyList<RequestOp> ops, IReadOnlySet<PutRequest>? volatilePuts)
    {
        writer.WriteVarint(ops.Count);
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            writer.WriteByte((byte)((op.RequestRange is null ? 0 : OpRange)
                | (op.RequestPut is null ? 0 : OpPut)
                | (op.RequestDeleteRange is null ? 0 : OpDeleteRange)
                | (op.RequestTxn is null ? 0 : OpTxn)));
            if (op.RequestRange is { } range)
            {
                WriteRange(ref writer, range);
            }

            if (op.RequestPut is { } put)
            {
                WritePut(ref writer, put, volatilePuts);
            }

            if (op.RequestDeleteRange is { } delete)
            {
                WriteDeleteRange(ref writer, delete);
            }

            if (op.RequestTxn is { } nested)
            {
                WriteTxn(ref writer, nested, volatilePuts);
            }
        }
    }

    private static RequestOp[] ReadOps(ref CommandReader reader, int depth, ref HashSet<PutRequest>? volatilePuts)
    {
        var ops = new RequestOp[reader.ReadCount(MinOpSize, "op count")];
        for (var i = 0; i < ops.Length; i++)
        {
            var present = reader.ReadFlags(OpRange | OpPut | OpDeleteRange | OpTxn, "op");
            ops[i] = new RequestOp
            {
                RequestRange = (present & OpRange) != 0 ? ReadRange(ref reader) : null,
                RequestPut = (present & OpPut) != 0 ? ReadPut(ref reader, ref volatilePuts) : null,
                RequestDeleteRange = (present & OpDeleteRange) != 0 ? ReadDeleteRange(ref reader) : null,
                RequestTxn = (present & OpTxn) != 0 ? ReadTxn(ref reader, depth + 1, ref volatilePuts) : null,
            };
        }

        return ops;
    }
}
