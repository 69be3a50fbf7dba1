using System.Text.Json;
using System.Text.Unicode;

namespace AntiEtcd.Api.Json;

/// <content>Client messages of a watch WebSocket (SPEC §7.2).</content>
public static partial class ApiJsonReader
{
    private static readonly FieldTable WatchRequestFields = new("create_request", "cancel_request", "progress_request");

    private static readonly FieldTable WatchCreateFields = new(
        "key", "range_end", "start_revision", "progress_notify", "filters", "prev_kv", "watch_id", "fragment");

    private static readonly FieldTable WatchCancelFields = new("watch_id");

    private static readonly EnumTable FilterTypeEnum = new("WatchCreateRequest_FilterType", false, "NOPUT", "NODELETE");

    private static readonly WatchRequestMessage BadJsonWatchMessage = new() { Error = WatchMessageError.BadJson };

    private static readonly WatchRequestMessage EmptyWatchMessage = new() { Error = WatchMessageError.EmptyMessage };

    /// <summary>
    /// Decodes one client message of a watch stream (SPEC §7.2). Never throws for bad input: the
    /// outcome is a value, because every case has its own reply (or none) and the connection
    /// stays open.
    /// </summary>
    /// <param name="message">One WebSocket message (text, or binary read as UTF-8 text).</param>
    /// <returns>
    /// <see cref="WatchRequestMessage.Error"/> set for <c>bad-json</c> and <c>empty-message</c>;
    /// otherwise the requests present, in the order create, cancel, progress. A
    /// <c>create_request</c> that fails decoding comes back as
    /// <see cref="WatchRequestMessage.CreateRequestError"/> (a "create failed" reply, SPEC §7.4);
    /// a <c>cancel_request</c> or <c>progress_request</c> that fails decoding is left out.
    /// </returns>
    public static WatchRequestMessage ReadWatchRequest(ReadOnlySpan<byte> message)
    {
        if (!Utf8.IsValid(message))
        {
            return BadJsonWatchMessage;
        }

        if (!IsOneJsonValue(message))
        {
            return BadJsonWatchMessage;
        }

        var start = new Utf8JsonReader(message, ReaderOptions);
        start.Read();

        // antietcd tests the parsed value for JavaScript falsiness.
        switch (start.TokenType)
        {
            case JsonTokenType.StartObject:
                return DecodeWatchMessage(ref start);
            case JsonTokenType.Null:
            case JsonTokenType.False:
                return EmptyWatchMessage;
            case JsonTokenType.Number:
                return start.TryGetDouble(out double number) && number == 0 ? EmptyWatchMessage : BadJsonWatchMessage;
            case JsonTokenType.String:
                return start.ValueSpan.IsEmpty ? EmptyWatchMessage : BadJsonWatchMessage;
            default:
                return BadJsonWatchMessage;
        }
    }

    private static WatchRequestMessage DecodeWatchMessage(ref Utf8JsonReader reader)
    {
        Span<int> last = stackalloc int[WatchRequestFields.Count];
        FindLastOccurrences(reader, WatchRequestFields, last);
        WatchCreateRequest? create = null;
        string? createError = null;
        WatchCancelRequest? cancel = null;
        bool progress = false;
        int ordinal = 0;
        while (NextField(ref reader, WatchRequestFields, last, ref ordinal, out int id))
        {
            // Each request is decoded on its own: a failure in one does not affect the others.
            var path = default(DecodePath);
            var mark = reader;
            string name = WatchRequestFields.Names[id];
            try
            {
                ExpectObject(ref reader, ref path, name);
                path.Push(name);
                switch (id)
                {
                    case 0: create = DecodeWatchCreate(ref reader, ref path); break;
                    case 1: cancel = DecodeWatchCancel(ref reader, ref path); break;
                    default: progress = true; reader.Skip(); break;
                }
            }
            catch (ApiDecodeException e)
            {
                if (id == 0)
                {
                    createError = e.Message;
                }

                reader = mark;
                reader.Skip();
            }
        }

        return new WatchRequestMessage
        {
            CreateRequest = create,
            CreateRequestError = createError,
            CancelRequest = cancel,
            ProgressRequest = progress,
        };
    }

    private static WatchCreateRequest DecodeWatchCreate(ref Utf8JsonReader reader, ref DecodePath path)
    {
        Span<int> last = stackalloc int[WatchCreateFields.Count];
        FindLastOccurrences(reader, WatchCreateFields, last);
        var request = new WatchCreateRequest();
        int ordinal = 0;
        while (NextField(ref reader, WatchCreateFields, last, ref ordinal, out int id))
        {
            string name = WatchCreateFields.Names[id];
            switch (id)
            {
                case 0: request.Key = ReadBytes(ref reader, ref path, name); break;
                case 1: request.RangeEnd = ReadBytes(ref reader, ref path, name); break;
                case 2: request.StartRevision = ReadInt64(ref reader, ref path, name); break;
                case 3: request.ProgressNotify = ReadBool(ref reader, ref path, name); break;
                case 4: request.Filters = ReadFilters(ref reader, ref path, name) ?? (IReadOnlyList<FilterType>)[]; break;
                case 5: request.PrevKv = ReadBool(ref reader, ref path, name); break;
                case 6: request.WatchId = ReadInt64(ref reader, ref path, name); break;
                default: request.Fragment = ReadBool(ref reader, ref path, name); break;
            }
        }

        return request;
    }

    private static List<FilterType>? ReadFilters(ref Utf8JsonReader reader, ref DecodePath path, string field)
    {
        ExpectArray(ref reader, ref path, field);
        List<FilterType>? list = null;
        int index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            // A null element is refused ("expected enum"): unlike a null object, it has no
            // harmless default (0 is NOPUT).
            list ??= [];
            list.Add((FilterType)ReadEnum(ref reader, ref path, field, index, FilterTypeEnum));
            index++;
        }

        return list;
    }

    private static WatchCancelRequest DecodeWatchCancel(ref Utf8JsonReader reader, ref DecodePath path)
    {
        Span<int> last = stackalloc int[WatchCancelFields.Count];
        FindLastOccurrences(reader, WatchCancelFields, last);
        var request = new WatchCancelRequest();
        int ordinal = 0;
        while (NextField(ref reader, WatchCancelFields, last, ref ordinal, out int id))
        {
            request.WatchId = ReadInt64(ref reader, ref path, WatchCancelFields.Names[id]);
        }

        return request;
    }
}
