using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace AntiEtcd.Server.Node;

/// <summary>
/// An <see cref="ImportOutcome"/> in a forwarded write's reply: a follower whose import entry reached it inside a
/// leader's snapshot (so its own apply never saw the entry) learns the outcome from the leader's answer.
/// </summary>
internal static class ImportOutcomeJson
{
    public static byte[] Encode(ImportOutcome outcome)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("applied"u8, outcome.Applied);
            writer.WriteNumber("key_count"u8, outcome.KeyCount);
            writer.WriteString("revision"u8, outcome.Revision.ToString(CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="InvalidDataException">Not such a body.</exception>
    public static ImportOutcome Decode(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return new ImportOutcome(
                root.GetProperty("applied").GetBoolean(),
                root.GetProperty("key_count").GetInt32(),
                long.Parse(root.GetProperty("revision").GetString() ?? "", NumberStyles.None, CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new InvalidDataException("forwarded import reply: " + ex.Message, ex);
        }
    }
}
