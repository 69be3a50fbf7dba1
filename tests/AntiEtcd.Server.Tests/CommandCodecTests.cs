using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using AntiEtcd.Api;
using AntiEtcd.Server.Node;

namespace AntiEtcd.Server.Tests;

/// <summary>
/// The log entry payload codec (docs/wal-format.md §8.1): frozen byte images and enum values,
/// seeded random round trips covering every field of every request, fresh arrays, refusals on
/// both sides, and fuzzed input that may only ever raise <see cref="InvalidDataException"/>.
/// </summary>
/// <remarks>
/// A failing golden test means the format changed: bump <see cref="CommandCodec.FormatVersion"/>
/// and keep decoding version 1 (WALs written by older builds must replay), never just edit bytes.
/// </remarks>
public sealed class CommandCodecTests
{
    private static ReadOnlyMemory<byte> B(string s) => Encoding.Latin1.GetBytes(s);

    private static byte[] Encode(Command command)
    {
        var buffer = new ArrayBufferWriter<byte>();
        CommandCodec.Encode(command, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static TheoryData<string, string> GoldenCommands() => new()
    {
        // version, type, flags (prev_kv), key "k", value "v", lease 5
        { "put", "01" + "01" + "01" + "016B" + "0176" + "05" },
        // version, type, flags (prev_kv), key "a", range_end "b"
        { "delete", "01" + "02" + "01" + "0161" + "0162" },
        { "txn", "01" + "03" + "00"                                    // version, type, txn flags
            + "01" + "01" + "02" + "016B" + "00" + "00" + "00" + "AC02" + "00" + "00" // 1 compare: GREATER, MOD, "k", no range_end, version, create, mod 300, value, lease
            + "04"                                                     // 4 success ops
            + "02" + "00" + "016B" + "0176" + "00"                     // put k=v
            + "01" + "02" + "0161" + "0100" + "0A" + "FFFFFFFFFFFFFFFFFF01" + "02" + "03" + "02" + "00" + "00" + "00" // range a.."\0" keys_only, limit 10, revision -1, DESCEND, MOD, min_mod 2
            + "04" + "00" + "0164" + "00"                              // delete "d"
            + "08" + "00" + "00" + "01" + "02" + "00" + "016E" + "00" + "00" + "00" // nested txn: no compares, success put n="", no failure
            + "01"                                                     // 1 failure op
            + "01" + "00" + "016B" + "00" + "00" + "00" + "00" + "00" + "00" + "00" + "00" + "00" }, // range "k"
        { "compact", "01" + "04" + "E807" },                           // revision 1000
        { "grant", "01" + "05" + "B424" + "3C" },                      // lease 0x1234, TTL 60
        { "revoke", "01" + "06" + "B424" },                            // lease 0x1234
        // version, type, file revision 18, 2 keys: "/a"="1" create 1 mod 1 version 1; "/b"="" create 3 mod 200 version 3
        { "import", "01" + "07" + "12" + "02" + "022F61" + "0131" + "01" + "01" + "01" + "022F62" + "00" + "03" + "C801" + "03" },
        { "import-empty", "01" + "07" + "00" + "00" },                 // file revision 0, no keys
        // version, type, flags (volatile), key "s", empty value, lease 0: a put the persist filter kept out (SPEC §9.4)
        { "put-volatile", "01" + "81" + "08" + "0173" + "00" + "00" },
        // version, type, 1 lease: 7 TTL 100; an import's fields at revision 10: "/a"="1" create 2 mod 3 version 2; then each key's lease: 7
        { "volatile-reset", "01" + "08" + "01" + "07" + "64" + "0A" + "01" + "022F61" + "0131" + "02" + "03" + "02" + "07" },
        { "volatile-reset-filtered", "01" + "88" + "00" + "0A" + "00" },
    };

    private static Command GoldenCommand(string name) => name switch
    {
        "put" => new Command { Type = CommandType.Put, Put = new PutRequest { Key = B("k"), Value = B("v"), Lease = 5, PrevKv = true } },
        "delete" => new Command { Type = CommandType.DeleteRange, DeleteRange = new DeleteRangeRequest { Key = B("a"), RangeEnd = B("b"), PrevKv = true } },
        "txn" => new Command
        {
            Type = CommandType.Txn,
            Txn = new TxnRequest
            {
                Compare = [new Compare { Result = CompareResult.Greater, Target = CompareTarget.Mod, Key = B("k"), ModRevision = 300 }],
                Success =
                [
                    new RequestOp { RequestPut = new PutRequest { Key = B("k"), Value = B("v") } },
                    new RequestOp
                    {
                        RequestRange = new RangeRequest
                        {
                            Key = B("a"),
                            RangeEnd = B("\0"),
                            Limit = 10,
                            Revision = -1,
                            SortOrder = SortOrder.Descend,
                            SortTarget = SortTarget.Mod,
                            KeysOnly = true,
                            MinModRevision = 2,
                        },
                    },
                    new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = B("d") } },
                    new RequestOp { RequestTxn = new TxnRequest { Success = [new RequestOp { RequestPut = new PutRequest { Key = B("n") } }] } },
                ],
                Failure = [new RequestOp { RequestRange = new RangeRequest { Key = B("k") } }],
            },
        },
        "compact" => new Command { Type = CommandType.Compact, Revision = 1000 },
        "grant" => new Command { Type = CommandType.LeaseGrant, LeaseId = 0x1234, Ttl = 60 },
        "revoke" => new Command { Type = CommandType.LeaseRevoke, LeaseId = 0x1234 },
        "import" => new Command
        {
            Type = CommandType.Import,
            Revision = 18,
            Keys =
            [
                new KeyValue { Key = B("/a"), Value = B("1"), CreateRevision = 1, ModRevision = 1, Version = 1 },
                new KeyValue { Key = B("/b"), CreateRevision = 3, ModRevision = 200, Version = 3 },
            ],
        },
        "import-empty" => new Command { Type = CommandType.Import, Keys = [] },
        "put-volatile" => VolatilePut(new PutRequest { Key = B("s") }),
        "volatile-reset-filtered" => new Command { Type = CommandType.VolatileReset, Revision = 10, Leases = [], Keys = [], Filtered = true },
        "volatile-reset" => new Command
        {
            Type = CommandType.VolatileReset,
            Revision = 10,
            Leases = [(7, 100)],
            Keys = [new KeyValue { Key = B("/a"), Value = B("1"), CreateRevision = 2, ModRevision = 3, Version = 2, Lease = 7 }],
        },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(GoldenCommands))]
    public void GoldenCommand_HasTheFrozenImage_AndDecodesBack(string name, string hex)
    {
        var command = GoldenCommand(name);
        Assert.Equal(hex, Convert.ToHexString(Encode(command)));
        Assert.Equal(Dump(command), Dump(CommandCodec.Decode(Convert.FromHexString(hex))));
    }

    private static Command VolatilePut(PutRequest put) =>
        new() { Type = CommandType.Put, Put = put, VolatilePuts = new HashSet<PutRequest>(ReferenceEqualityComparer.Instance) { put }, Filtered = true };

    [Fact]
    public void VolatileMarks_InNestedTxnBranches_DecodeToThoseVeryPuts()
    {
        var kept = new PutRequest { Key = B("k"), Value = B("v") };
        var dropped = new PutRequest { Key = B("stats/x") };
        var inFailure = new PutRequest { Key = B("stats/y"), PrevKv = true };
        var command = new Command
        {
            Type = CommandType.Txn,
            Txn = new TxnRequest
            {
                Success = [new RequestOp { RequestPut = kept }, new RequestOp { RequestTxn = new TxnRequest { Success = [new RequestOp { RequestPut = dropped }] } }],
                Failure = [new RequestOp { RequestPut = inFailure }],
            },
            VolatilePuts = new HashSet<PutRequest>(ReferenceEqualityComparer.Instance) { dropped, inFailure },
        };

        var bytes = Encode(command);
        var decoded = CommandCodec.Decode(bytes);
        Assert.Equal(bytes, Encode(decoded));
        var set = Assert.IsAssignableFrom<IReadOnlySet<PutRequest>>(decoded.VolatilePuts);
        Assert.Equal(2, set.Count);
        Assert.Contains(decoded.Txn!.Success[1].RequestTxn!.Success[0].RequestPut!, set);
        Assert.Contains(decoded.Txn.Failure[0].RequestPut!, set);
        Assert.DoesNotContain(decoded.Txn.Success[0].RequestPut!, set);
        Assert.Null(CommandCodec.Decode(Encode(new Command { Type = CommandType.Put, Put = kept })).VolatilePuts);
    }

    [Fact]
    public void PersistedEnums_AreFrozen()
    {
        Assert.Equal(
            ["Put=1", "DeleteRange=2", "Txn=3", "Compact=4", "LeaseGrant=5", "LeaseRevoke=6", "Import=7", "VolatileReset=8"],
            Enum.GetValues<CommandType>().Select(t => $"{t}={(byte)t}"));
        Assert.Equal(1, CommandCodec.FormatVersion);

        // The API enums are encoded by value, so their values are part of the format too.
        Assert.Equal([0, 1, 2, 3], Enum.GetValues<CompareResult>().Select(v => (int)v));
        Assert.Equal([0, 1, 2, 3, 4], Enum.GetValues<CompareTarget>().Select(v => (int)v));
        Assert.Equal([0, 1, 2], Enum.GetValues<SortOrder>().Select(v => (int)v));
        Assert.Equal([0, 1, 2, 3, 4], Enum.GetValues<SortTarget>().Select(v => (int)v));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomCommands_RoundTrip(int seed)
    {
        var rng = new Random(seed);
        var types = new HashSet<CommandType>();
        for (var i = 0; i < 2000; i++)
        {
            var command = RandomCommand(rng);
            types.Add(command.Type);
            var bytes = Encode(command);
            var decoded = CommandCodec.Decode(bytes);
            Assert.True(Dump(command) == Dump(decoded), $"seed {seed} #{i}\n{Dump(command)}\n{Dump(decoded)}");
            Assert.Equal(bytes, Encode(decoded));
        }

        Assert.Equal(7, types.Count);
    }

    [Fact]
    public void Encode_AppendsToWhatTheOutputHolds()
    {
        var buffer = new ArrayBufferWriter<byte>();
        CommandCodec.Encode(GoldenCommand("compact"), buffer);
        CommandCodec.Encode(GoldenCommand("revoke"), buffer);
        Assert.Equal("0104E807" + "0106B424", Convert.ToHexString(buffer.WrittenSpan));
    }

    [Fact]
    public void LargeValues_RoundTrip()
    {
        var value = new byte[3 * 1024 * 1024];
        new Random(1).NextBytes(value);
        var decoded = CommandCodec.Decode(Encode(new Command { Type = CommandType.Put, Put = new PutRequest { Key = B("big"), Value = value } }));
        Assert.True(decoded.Put!.Value.Span.SequenceEqual(value));
    }

    [Fact]
    public void DecodedByteFields_AreFreshArrays()
    {
        var bytes = Encode(GoldenCommand("txn"));
        var decoded = CommandCodec.Decode(bytes);
        var txn = decoded.Txn!;
        ReadOnlyMemory<byte>[] fields = [txn.Compare[0].Key, txn.Success[0].RequestPut!.Key, txn.Success[0].RequestPut!.Value, txn.Success[1].RequestRange!.RangeEnd];
        foreach (var field in fields)
        {
            Assert.True(MemoryMarshal.TryGetArray(field, out var segment));
            Assert.NotSame(bytes, segment.Array);
            Assert.Equal(0, segment.Offset);
            Assert.Equal(field.Length, segment.Array!.Length);
        }

        Array.Clear(bytes);
        Assert.Equal(Dump(GoldenCommand("txn")), Dump(decoded));
    }

    [Fact]
    public void Encode_RefusesWhatCouldNotBeDecoded()
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => CommandCodec.Encode(new Command { Type = CommandType.Put }, buffer));
        Assert.Throws<ArgumentException>(() => CommandCodec.Encode(new Command { Type = CommandType.DeleteRange }, buffer));
        Assert.Throws<ArgumentException>(() => CommandCodec.Encode(new Command { Type = CommandType.Txn }, buffer));
        Assert.Throws<ArgumentException>(() => CommandCodec.Encode(new Command { Type = 0 }, buffer));
        Assert.Throws<ArgumentException>(() => CommandCodec.Encode(new Command { Type = (CommandType)8 }, buffer));
        Assert.Throws<ArgumentException>(() => CommandCodec.Encode(new Command { Type = CommandType.Import }, buffer));
        Assert.Throws<ArgumentNullException>(() => CommandCodec.Encode(new Command { Type = CommandType.Import, Keys = [null!] }, buffer));
        Assert.Throws<ArgumentNullException>(() => CommandCodec.Encode(new Command { Type = CommandType.Txn, Txn = new TxnRequest { Success = [null!] } }, buffer));
        Assert.Throws<ArgumentException>(() => CommandCodec.Encode(new Command { Type = CommandType.Txn, Txn = Nested(CommandCodec.MaxTxnDepth + 1) }, buffer));
        Assert.Equal(0, buffer.WrittenCount);

        // The deepest accepted nesting round-trips.
        var deepest = new Command { Type = CommandType.Txn, Txn = Nested(CommandCodec.MaxTxnDepth) };
        Assert.Equal(Encode(deepest), Encode(CommandCodec.Decode(Encode(deepest))));
    }

    [Fact]
    public void Decode_NamesWhatIsWrong()
    {
        Assert.Equal("command: offset 0: unknown format version 2 (this build reads 1)", Refused("0204E807"));
        Assert.Equal("command: offset 0: truncated", Refused(""));
        Assert.Equal("command: offset 1: unknown command type 0", Refused("0100"));
        Assert.Equal("command: offset 1: unknown command type 9", Refused("0109"));
        Assert.Equal("command: offset 3: key count 2 does not fit in the 5 bytes left", Refused("0107" + "00" + "02" + "0000000000"));
        Assert.Equal("command: offset 4: 1 unexpected bytes after the command", Refused("0104E80700"));
        Assert.Equal("command: offset 2: truncated varint", Refused("0104E8"));
        Assert.Equal("command: offset 2: non-minimal varint", Refused("01048000"));
        Assert.Equal("command: offset 2: varint overflows 64 bits", Refused("0104FFFFFFFFFFFFFFFFFF02"));
        Assert.Equal("command: offset 2: unknown put flags 0x10", Refused("010110016B017605"));
        Assert.Equal("command: offset 3: length 5 runs past the end", Refused("010101056B"));
        Assert.Equal("command: offset 3: compare count 1000 does not fit in the 0 bytes left", Refused("010300E807"));
    }

    [Fact]
    public void EveryTruncation_IsRefused()
    {
        foreach (var row in GoldenCommands())
        {
            var bytes = Convert.FromHexString(row.Data.Item2);
            for (var length = 0; length < bytes.Length; length++)
            {
                Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(bytes.AsSpan(0, length)));
            }
        }
    }

    [Fact]
    public void HostileNesting_IsRefusedWithoutExhaustingTheStack()
    {
        // 100,000 levels of "txn with one op that is a txn": refused at MaxTxnDepth.
        var data = new List<byte> { 1, 3 };
        for (var i = 0; i < 100_000; i++)
        {
            data.AddRange([0, 0, 1, 8]); // flags, no compares, one success op holding a txn
        }

        var e = Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(data.ToArray()));
        Assert.Contains($"txns nest deeper than {CommandCodec.MaxTxnDepth} levels", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MutatedCommands_OnlyEverThrowInvalidDataException(int seed)
    {
        var rng = new Random(seed);
        int accepted = 0, refused = 0;
        for (var i = 0; i < 3000; i++)
        {
            var original = Encode(RandomCommand(rng));
            var data = Mutate(rng, original);
            Command decoded;
            try
            {
                decoded = CommandCodec.Decode(data);
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith("command: offset ", e.Message, StringComparison.Ordinal);
                refused++;
                continue;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed} #{i}: {e.GetType().Name} for {Convert.ToHexString(data)}: {e}");
                throw;
            }

            // Whatever is accepted is canonical: it encodes back to the same bytes.
            accepted++;
            Assert.True(data.AsSpan().SequenceEqual(Encode(decoded)), $"seed {seed} #{i}: {Convert.ToHexString(data)}");
        }

        Assert.True(refused > 1000 && accepted > 100, $"refused {refused}, accepted {accepted}");
    }

    private static string Refused(string hex) =>
        Assert.Throws<InvalidDataException>(() => CommandCodec.Decode(Convert.FromHexString(hex))).Message;

    private static TxnRequest Nested(int depth)
    {
        var txn = new TxnRequest();
        for (var i = 1; i < depth; i++)
        {
            txn = new TxnRequest { Success = [new RequestOp { RequestTxn = txn }] };
        }

        return txn;
    }

    private static byte[] Mutate(Random rng, byte[] original)
    {
        var data = (byte[])original.Clone();
        switch (rng.Next(6))
        {
            case 0:
                return data[..rng.Next(data.Length)];
            case 1:
                data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8));
                return data;
            case 2:
                data[rng.Next(data.Length)] = (byte)rng.Next(256);
                return data;
            case 3:
            {
                var at = rng.Next(data.Length + 1);
                return [.. data[..at], (byte)rng.Next(256), .. data[at..]];
            }

            case 4:
            {
                var at = rng.Next(data.Length);
                return [.. data[..at], .. data[(at + 1)..]];
            }

            default:
            {
                var at = rng.Next(data.Length + 1);
                byte[] huge = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F];
                return [.. data[..at], .. huge, .. data[at..]];
            }
        }
    }

    // ---- Random commands: every field, including values the store would refuse. ----

    private static long RandomLong(Random rng) => rng.Next(6) switch
    {
        0 => 0,
        1 => rng.Next(1, 128),
        2 => rng.NextInt64(),
        3 => -rng.NextInt64(),
        4 => long.MinValue,
        _ => long.MaxValue,
    };

    private static ReadOnlyMemory<byte> RandomBytes(Random rng)
    {
        var length = rng.Next(4) switch { 0 => 0, 1 => 1, 2 => rng.Next(2, 20), _ => rng.Next(100, 400) };
        if (length == 0)
        {
            return rng.Next(2) == 0 ? default : Array.Empty<byte>();
        }

        var bytes = new byte[length];
        rng.NextBytes(bytes);
        return bytes;
    }

    private static T RandomEnum<T>(Random rng, int defined)
        where T : struct, Enum => (T)(object)(rng.Next(8) switch { 0 => -rng.Next(1, 1000), 1 => rng.Next(defined, 1000), _ => rng.Next(defined) });

    private static Command RandomCommand(Random rng) => rng.Next(7) switch
    {
        0 => new Command { Type = CommandType.Put, Put = RandomPut(rng) },
        1 => new Command { Type = CommandType.DeleteRange, DeleteRange = RandomDelete(rng) },
        2 => new Command { Type = CommandType.Txn, Txn = RandomTxn(rng, 0) },
        3 => new Command { Type = CommandType.Compact, Revision = RandomLong(rng) },
        4 => new Command { Type = CommandType.LeaseGrant, LeaseId = RandomLong(rng), Ttl = RandomLong(rng) },
        5 => new Command { Type = CommandType.Import, Revision = RandomLong(rng), Keys = RandomKeys(rng) },
        _ => new Command { Type = CommandType.LeaseRevoke, LeaseId = RandomLong(rng) },
    };

    private static PutRequest RandomPut(Random rng) => new()
    {
        Key = RandomBytes(rng),
        Value = RandomBytes(rng),
        Lease = RandomLong(rng),
        PrevKv = rng.Next(2) == 0,
        IgnoreValue = rng.Next(2) == 0,
        IgnoreLease = rng.Next(2) == 0,
    };

    private static DeleteRangeRequest RandomDelete(Random rng) =>
        new() { Key = RandomBytes(rng), RangeEnd = RandomBytes(rng), PrevKv = rng.Next(2) == 0 };

    private static RangeRequest RandomRange(Random rng) => new()
    {
        Key = RandomBytes(rng),
        RangeEnd = RandomBytes(rng),
        Limit = RandomLong(rng),
        Revision = RandomLong(rng),
        SortOrder = RandomEnum<SortOrder>(rng, 3),
        SortTarget = RandomEnum<SortTarget>(rng, 5),
        Serializable = rng.Next(2) == 0,
        KeysOnly = rng.Next(2) == 0,
        CountOnly = rng.Next(2) == 0,
        MinModRevision = RandomLong(rng),
        MaxModRevision = RandomLong(rng),
        MinCreateRevision = RandomLong(rng),
        MaxCreateRevision = RandomLong(rng),
    };

    private static Compare RandomCompare(Random rng) => new()
    {
        Result = RandomEnum<CompareResult>(rng, 4),
        Target = RandomEnum<CompareTarget>(rng, 5),
        Key = RandomBytes(rng),
        RangeEnd = RandomBytes(rng),
        Version = RandomLong(rng),
        CreateRevision = RandomLong(rng),
        ModRevision = RandomLong(rng),
        Value = RandomBytes(rng),
        Lease = RandomLong(rng),
    };

    private static List<KeyValue> RandomKeys(Random rng)
    {
        // Anything a well-formed entry can hold, also what the store would refuse (the codec does not judge).
        var keys = new List<KeyValue>();
        for (var i = rng.Next(5); i > 0; i--)
        {
            keys.Add(new KeyValue { Key = RandomBytes(rng), Value = RandomBytes(rng), CreateRevision = RandomLong(rng), ModRevision = RandomLong(rng), Version = RandomLong(rng) });
        }

        return keys;
    }

    private static TxnRequest RandomTxn(Random rng, int depth)
    {
        var compares = new Compare[rng.Next(4)];
        for (var i = 0; i < compares.Length; i++)
        {
            compares[i] = RandomCompare(rng);
        }

        return new TxnRequest { Compare = compares, Success = RandomOps(rng, depth), Failure = RandomOps(rng, depth), Serializable = rng.Next(4) == 0 };
    }

    private static List<RequestOp> RandomOps(Random rng, int depth)
    {
        var ops = new List<RequestOp>();
        for (var i = rng.Next(5); i > 0; i--)
        {
            // Mostly one request per op; sometimes none or several (malformed, but logged as is).
            var op = new RequestOp();
            var mask = rng.Next(10) switch { 0 => rng.Next(16), _ => 1 << rng.Next(4) };
            if (depth >= 3)
            {
                mask &= 7;
            }

            op.RequestRange = (mask & 1) != 0 ? RandomRange(rng) : null;
            op.RequestPut = (mask & 2) != 0 ? RandomPut(rng) : null;
            op.RequestDeleteRange = (mask & 4) != 0 ? RandomDelete(rng) : null;
            op.RequestTxn = (mask & 8) != 0 ? RandomTxn(rng, depth + 1) : null;
            ops.Add(op);
        }

        return ops;
    }

    // ---- A text form of every field, independent of the codec, to compare commands. ----

    private static string Dump(Command c)
    {
        var sb = new StringBuilder($"{c.Type} rev={c.Revision} lease={c.LeaseId} ttl={c.Ttl}");
        if (c.Put is not null)
        {
            Dump(sb, c.Put);
        }

        if (c.DeleteRange is not null)
        {
            Dump(sb, c.DeleteRange);
        }

        if (c.Txn is not null)
        {
            Dump(sb, c.Txn);
        }

        if (c.Leases is not null)
        {
            sb.Append(" leases[").AppendJoin(',', c.Leases).Append(']');
        }

        if (c.Filtered)
        {
            sb.Append(" filtered");
        }

        if (c.VolatilePuts is not null)
        {
            sb.Append(" volatile[");
            foreach (var put in c.VolatilePuts)
            {
                Dump(sb, put);
            }

            sb.Append(" ]");
        }

        if (c.Keys is not null)
        {
            sb.Append(" keys[");
            foreach (var kv in c.Keys)
            {
                sb.Append($" kv({X(kv.Key)},{X(kv.Value)},{kv.CreateRevision},{kv.ModRevision},{kv.Version},{kv.Lease})");
            }

            sb.Append(" ]");
        }

        return sb.ToString();
    }

    private static string X(ReadOnlyMemory<byte> b) => Convert.ToHexString(b.Span);

    private static void Dump(StringBuilder sb, PutRequest p) =>
        sb.Append($" put({X(p.Key)},{X(p.Value)},{p.Lease},{p.PrevKv},{p.IgnoreValue},{p.IgnoreLease})");

    private static void Dump(StringBuilder sb, DeleteRangeRequest d) =>
        sb.Append($" delete({X(d.Key)},{X(d.RangeEnd)},{d.PrevKv})");

    private static void Dump(StringBuilder sb, RangeRequest r) =>
        sb.Append($" range({X(r.Key)},{X(r.RangeEnd)},{r.Limit},{r.Revision},{(int)r.SortOrder},{(int)r.SortTarget},{r.Serializable},{r.KeysOnly},{r.CountOnly},{r.MinModRevision},{r.MaxModRevision},{r.MinCreateRevision},{r.MaxCreateRevision})");

    private static void Dump(StringBuilder sb, TxnRequest t)
    {
        sb.Append($" txn({t.Serializable}");
        foreach (var c in t.Compare)
        {
            sb.Append($" cmp({(int)c.Result},{(int)c.Target},{X(c.Key)},{X(c.RangeEnd)},{c.Version},{c.CreateRevision},{c.ModRevision},{X(c.Value)},{c.Lease})");
        }

        foreach (var (label, ops) in new[] { ("success", t.Success), ("failure", t.Failure) })
        {
            sb.Append($" {label}[");
            foreach (var op in ops)
            {
                sb.Append(" op{");
                if (op.RequestRange is not null)
                {
                    Dump(sb, op.RequestRange);
                }

                if (op.RequestPut is not null)
                {
                    Dump(sb, op.RequestPut);
                }

                if (op.RequestDeleteRange is not null)
                {
                    Dump(sb, op.RequestDeleteRange);
                }

                if (op.RequestTxn is not null)
                {
                    Dump(sb, op.RequestTxn);
                }

                sb.Append(" }");
            }

            sb.Append(" ]");
        }

        sb.Append(')');
    }
}
