using System.Text.Json;

namespace AntiEtcd.Api.Json;

/// <content>Watch stream messages (SPEC §7.3).</content>
public static partial class ApiJsonWriter
{
    private static readonly JsonEncodedText PutName = JsonEncodedText.Encode("PUT");
    private static readonly JsonEncodedText DeleteName = JsonEncodedText.Encode("DELETE");

    /// <summary>The reply to a watch message that is not valid JSON, or a truthy non-object (SPEC §7.2).</summary>
    public static ReadOnlySpan<byte> WatchBadJson => "{\"error\":\"bad-json\"}"u8;

    /// <summary>The reply to a watch message that is <c>null</c>, <c>false</c>, <c>0</c> or <c>""</c> (SPEC §7.2).</summary>
    public static ReadOnlySpan<byte> WatchEmptyMessage => "{\"error\":\"empty-message\"}"u8;

    /// <summary>
    /// Writes one watch stream message: <c>{"result":{…}}</c> with <c>header</c>,
    /// <c>watch_id</c> (always, even <c>"0"</c>), <c>created</c>, <c>canceled</c>,
    /// <c>compact_revision</c>, <c>cancel_reason</c>, <c>fragment</c>, <c>events</c>.
    /// </summary>
    /// <remarks>
    /// Each event is <c>{"type":…,"kv":…,"prev_kv":…}</c> with <c>type</c> always written
    /// (<c>"PUT"</c> included, unlike etcd: SPEC §14.2) and <c>prev_kv</c> when not null.
    /// </remarks>
    /// <param name="writer">The destination.</param>
    /// <param name="response">The message.</param>
    public static void WriteWatchResult(Utf8JsonWriter writer, WatchResponse response)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        writer.WriteStartObject();
        writer.WritePropertyName(WireNames.Result);
        writer.WriteStartObject();
        WriteHeader(writer, response.Header);
        WriteInt64Always(writer, WireNames.WatchId, response.WatchId);
        WriteBool(writer, WireNames.Created, response.Created);
        WriteBool(writer, WireNames.Canceled, response.Canceled);
        WriteInt64(writer, WireNames.CompactRevision, response.CompactRevision);
        WriteText(writer, WireNames.CancelReason, response.CancelReason);
        WriteBool(writer, WireNames.Fragment, response.Fragment);
        IReadOnlyList<Event>? events = response.Events;
        if (events is not null && events.Count > 0)
        {
            writer.WriteStartArray(WireNames.Events);
            for (int i = 0; i < events.Count; i++)
            {
                WriteEvent(writer, events[i]);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteEvent(Utf8JsonWriter writer, Event e)
    {
        writer.WriteStartObject();
        writer.WriteString(WireNames.Type, e.Type == EventType.Delete ? DeleteName : PutName);
        if (e.Kv is not null)
        {
            writer.WritePropertyName(WireNames.Kv);
            WriteKeyValue(writer, e.Kv);
        }

        if (e.PrevKv is not null)
        {
            writer.WritePropertyName(WireNames.PrevKv);
            WriteKeyValue(writer, e.PrevKv);
        }

        writer.WriteEndObject();
    }
}
