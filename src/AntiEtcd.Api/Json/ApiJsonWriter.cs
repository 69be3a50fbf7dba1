using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AntiEtcd.Api.Json;

/// <summary>
/// Encodes the response DTOs as etcd's JSON gateway writes them (SPEC §3.4), byte for byte.
/// </summary>
/// <remarks>
/// <para>
/// Rules: compact; fields in etcd's order; int64 and uint64 as decimal strings; bytes as padded
/// standard base64; enums by name; default values left out (0, false, empty string, bytes or
/// array, enum 0, absent nested object), except the top-level <c>header</c>, watch
/// <c>watch_id</c> and event <c>type</c>, which are always written. A present nested object
/// whose fields are all default is written as <c>{}</c>.
/// </para>
/// <para>
/// The output does not depend on the writer's encoder: names are pre-encoded, numbers and
/// base64 need no escaping, and text is escaped here as Go does. Use <see cref="CreateWriter"/>
/// or <see cref="WriterOptions"/> anyway (compact, validation off). All methods are thread-safe;
/// a writer is not.
/// </para>
/// </remarks>
public static partial class ApiJsonWriter
{
    /// <summary>Options for response writers: compact output, no structural validation (the encoder is tested).</summary>
    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Indented = false,
        SkipValidation = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Creates a writer with <see cref="WriterOptions"/> over <paramref name="output"/>.</summary>
    /// <param name="output">Receives the UTF-8 JSON; the caller owns it.</param>
    public static Utf8JsonWriter CreateWriter(IBufferWriter<byte> output) => new(output, WriterOptions);

    /// <summary>Encodes <paramref name="response"/> into a new byte array.</summary>
    /// <param name="response">The response.</param>
    /// <param name="write">One of the <c>Write…</c> methods, e.g. <c>ApiJsonWriter.Write</c>.</param>
    /// <example><c>byte[] body = ApiJsonWriter.ToUtf8Bytes(response, ApiJsonWriter.Write);</c></example>
    public static byte[] ToUtf8Bytes<T>(T response, Action<Utf8JsonWriter, T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = CreateWriter(buffer))
        {
            write(writer, response);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The body of every error reply: <c>{"error":M,"message":M,"code":N}</c> (SPEC §3.6).</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="message">The exact SPEC §3.6 message; written twice.</param>
    /// <param name="grpcCode">The gRPC code, written as a JSON number.</param>
    public static void WriteError(Utf8JsonWriter writer, string message, int grpcCode)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(message);
        writer.WriteStartObject();
        writer.WritePropertyName(WireNames.Error);
        JsonText.WriteValue(writer, message);
        writer.WritePropertyName(WireNames.Message);
        JsonText.WriteValue(writer, message);
        writer.WriteNumber(WireNames.Code, grpcCode);
        writer.WriteEndObject();
    }

    /// <summary>The top-level header: every field, each left out while 0 (SPEC §3.4).</summary>
    private static void WriteHeader(Utf8JsonWriter writer, ResponseHeader? header)
    {
        writer.WritePropertyName(WireNames.Header);
        writer.WriteStartObject();
        if (header is not null)
        {
            WriteUInt64(writer, WireNames.ClusterId, header.ClusterId);
            WriteUInt64(writer, WireNames.MemberId, header.MemberId);
            WriteInt64(writer, WireNames.Revision, header.Revision);
            WriteUInt64(writer, WireNames.RaftTerm, header.RaftTerm);
        }

        writer.WriteEndObject();
    }

    /// <summary>The header of a sub-response inside a txn: only <c>revision</c> (SPEC §4.4).</summary>
    private static void WriteSubHeader(Utf8JsonWriter writer, ResponseHeader? header)
    {
        writer.WritePropertyName(WireNames.Header);
        writer.WriteStartObject();
        if (header is not null)
        {
            WriteInt64(writer, WireNames.Revision, header.Revision);
        }

        writer.WriteEndObject();
    }

    private static void WriteKeyValue(Utf8JsonWriter writer, KeyValue kv)
    {
        writer.WriteStartObject();
        WriteBytes(writer, WireNames.Key, kv.Key);
        WriteInt64(writer, WireNames.CreateRevision, kv.CreateRevision);
        WriteInt64(writer, WireNames.ModRevision, kv.ModRevision);
        WriteInt64(writer, WireNames.Version, kv.Version);
        WriteBytes(writer, WireNames.Value, kv.Value);
        WriteInt64(writer, WireNames.Lease, kv.Lease);
        writer.WriteEndObject();
    }

    private static void WriteKeyValues(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyList<KeyValue>? kvs)
    {
        if (kvs is null || kvs.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        for (int i = 0; i < kvs.Count; i++)
        {
            WriteKeyValue(writer, kvs[i]);
        }

        writer.WriteEndArray();
    }

    /// <summary>An int64 as a decimal string, left out when 0.</summary>
    private static void WriteInt64(Utf8JsonWriter writer, JsonEncodedText name, long value)
    {
        if (value != 0)
        {
            WriteInt64Always(writer, name, value);
        }
    }

    private static void WriteInt64Always(Utf8JsonWriter writer, JsonEncodedText name, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out int length, default, System.Globalization.CultureInfo.InvariantCulture);
        writer.WriteString(name, digits[..length]);
    }

    /// <summary>A uint64 as a decimal string, left out when 0.</summary>
    private static void WriteUInt64(Utf8JsonWriter writer, JsonEncodedText name, ulong value)
    {
        if (value != 0)
        {
            Span<byte> digits = stackalloc byte[20];
            value.TryFormat(digits, out int length, default, System.Globalization.CultureInfo.InvariantCulture);
            writer.WriteString(name, digits[..length]);
        }
    }

    /// <summary>Bytes as padded standard base64, left out when empty.</summary>
    private static void WriteBytes(Utf8JsonWriter writer, JsonEncodedText name, ReadOnlyMemory<byte> value)
    {
        if (!value.IsEmpty)
        {
            writer.WriteBase64String(name, value.Span);
        }
    }

    private static void WriteBool(Utf8JsonWriter writer, JsonEncodedText name, bool value)
    {
        if (value)
        {
            writer.WriteBoolean(name, true);
        }
    }

    /// <summary>Text with Go's escaping, left out when empty.</summary>
    private static void WriteText(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WritePropertyName(name);
            JsonText.WriteValue(writer, value);
        }
    }
}
