using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AntiEtcd.Api.Json;

/// <content>Object traversal and the scalar field kinds of SPEC §3.3.</content>
public static partial class ApiJsonReader
{
    private const string ExpectedInteger = "expected integer";
    private const string IntegerOutOfRange = "integer out of range";
    private const string ExpectedBoolean = "expected boolean";
    private const string ExpectedString = "expected string";
    private const string ExpectedObject = "expected object";
    private const string ExpectedArray = "expected array";
    private const string ExpectedEnum = "expected enum";
    private const string MoreThanOneOperation = "more than one operation";

    /// <summary>The longest escaped form of a known field or enum name (6 bytes per <c>\uXXXX</c>).</summary>
    private const int MaxEscapedNameLength = 192;

    private enum IntegerStatus
    {
        Ok,
        Syntax,
        Overflow,
    }

    /// <summary>
    /// Pass 1 over an object: records, for each known field, the ordinal of its last occurrence
    /// (SPEC §3.3: the last occurrence wins and earlier ones are not validated).
    /// </summary>
    /// <param name="reader">A copy positioned on the object's StartObject; the caller's reader does not move.</param>
    /// <param name="table">The message's known fields.</param>
    /// <param name="last">Receives, per field ID, the ordinal of its last occurrence or -1.</param>
    private static void FindLastOccurrences(Utf8JsonReader reader, FieldTable table, Span<int> last)
    {
        last.Fill(-1);
        int ordinal = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = MatchName(ref reader, table);
            if (field >= 0)
            {
                last[field] = ordinal;
            }

            ordinal++;
            reader.Read();
            reader.Skip();
        }
    }

    /// <summary>
    /// Pass 2 over an object: advances to the next field to decode (a known field at its last
    /// occurrence and not <c>null</c>) and leaves the reader on its value. Returns false on the
    /// object's EndObject.
    /// </summary>
    private static bool NextField(ref Utf8JsonReader reader, FieldTable table, scoped ReadOnlySpan<int> last, ref int ordinal, out int field)
    {
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                field = -1;
                return false;
            }

            int id = MatchName(ref reader, table);
            int current = ordinal++;
            reader.Read();
            if (id < 0 || last[id] != current || reader.TokenType == JsonTokenType.Null)
            {
                reader.Skip();
                continue;
            }

            field = id;
            return true;
        }
    }

    private static int MatchName(ref Utf8JsonReader reader, FieldTable table)
    {
        if (!reader.ValueIsEscaped)
        {
            return table.Match(reader.ValueSpan);
        }

        if (reader.ValueSpan.Length > MaxEscapedNameLength)
        {
            return -1;
        }

        Span<byte> buffer = stackalloc byte[MaxEscapedNameLength];
        int length = reader.CopyString(buffer);
        return table.Match(buffer[..length]);
    }

    private static void ExpectObject(ref Utf8JsonReader reader, ref DecodePath path, string field)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw path.Invalid(field, ExpectedObject);
        }
    }

    private static void ExpectArray(ref Utf8JsonReader reader, ref DecodePath path, string field)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw path.Invalid(field, ExpectedArray);
        }
    }

    /// <summary>A bool field: only the JSON literals <c>true</c> and <c>false</c>.</summary>
    private static bool ReadBool(ref Utf8JsonReader reader, ref DecodePath path, string field) =>
        reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw path.Invalid(field, ExpectedBoolean),
        };

    /// <summary>A top-level flag (SPEC §3.5): a bool field that sets <paramref name="flag"/> when true.</summary>
    private static void ReadFlag(ref Utf8JsonReader reader, ref DecodePath path, string field, RequestFlags flag, ref RequestFlags flags)
    {
        if (ReadBool(ref reader, ref path, field))
        {
            flags |= flag;
        }
    }

    /// <summary>An int64 field: a JSON number or string of the form <c>-?[0-9]+</c>.</summary>
    private static long ReadInt64(ref Utf8JsonReader reader, ref DecodePath path, string field)
    {
        IntegerStatus status;
        long value;
        if (reader.TokenType == JsonTokenType.Number)
        {
            status = ParseInteger(reader.ValueSpan, out value);
        }
        else if (reader.TokenType == JsonTokenType.String)
        {
            if (!reader.ValueIsEscaped)
            {
                status = ParseInteger(reader.ValueSpan, out value);
            }
            else
            {
                byte[] rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                try
                {
                    int length = reader.CopyString(rented);
                    status = ParseInteger(rented.AsSpan(0, length), out value);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
        else
        {
            throw path.Invalid(field, ExpectedInteger);
        }

        return status switch
        {
            IntegerStatus.Ok => value,
            IntegerStatus.Overflow => throw path.Invalid(field, IntegerOutOfRange),
            _ => throw path.Invalid(field, ExpectedInteger),
        };
    }

    /// <summary>A bytes field: a string in standard base64 with etcd's rules (SPEC §3.3).</summary>
    private static ReadOnlyMemory<byte> ReadBytes(ref Utf8JsonReader reader, ref DecodePath path, string field)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw path.Invalid(field, ExpectedString);
        }

        if (!reader.ValueIsEscaped)
        {
            return EtcdBase64.Decode(reader.ValueSpan);
        }

        // Some encoders write '/' as "\/"; base64 offsets count the unescaped characters, as Go does.
        byte[] rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            int length = reader.CopyString(rented);
            return EtcdBase64.Decode(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>An enum field: the exact upper-case name, or an integer (SPEC §3.3).</summary>
    private static int ReadEnum(ref Utf8JsonReader reader, ref DecodePath path, string field, int index, EnumTable table)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            int value = -1;
            if (!reader.ValueIsEscaped)
            {
                value = table.Match(reader.ValueSpan);
            }
            else if (reader.ValueSpan.Length <= MaxEscapedNameLength)
            {
                Span<byte> buffer = stackalloc byte[MaxEscapedNameLength];
                int length = reader.CopyString(buffer);
                value = table.Match(buffer[..length]);
            }

            if (value >= 0)
            {
                return value;
            }

            throw new ApiDecodeException($"unknown value \"{reader.GetString()}\" for enum {table.ProtoName}");
        }

        if (reader.TokenType == JsonTokenType.Number)
        {
            if (ParseInteger(reader.ValueSpan, out long number) == IntegerStatus.Ok
                && number is >= int.MinValue and <= int.MaxValue
                && (table.KeepAnyInt32 || (number >= 0 && number < table.Count)))
            {
                return (int)number;
            }

            throw new ApiDecodeException($"unknown value {Encoding.UTF8.GetString(reader.ValueSpan)} for enum {table.ProtoName}");
        }

        throw path.Invalid(field, index, ExpectedEnum);
    }

    /// <summary>
    /// Parses <c>-?[0-9]+</c> into an int64. Syntax is checked over the whole text first, so
    /// <c>99999999999999999999x</c> is a syntax error, not an overflow.
    /// </summary>
    private static IntegerStatus ParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        bool negative = !text.IsEmpty && text[0] == '-';
        ReadOnlySpan<byte> digits = negative ? text[1..] : text;
        if (digits.IsEmpty || digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
        {
            return IntegerStatus.Syntax;
        }

        // Accumulate the magnitude; long.MinValue's magnitude is one more than long.MaxValue.
        ulong limit = negative ? 9223372036854775808UL : long.MaxValue;
        ulong magnitude = 0;
        foreach (byte c in digits)
        {
            uint digit = (uint)(c - '0');
            if (magnitude > (limit - digit) / 10)
            {
                return IntegerStatus.Overflow;
            }

            magnitude = (magnitude * 10) + digit;
        }

        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return IntegerStatus.Ok;
    }
}
