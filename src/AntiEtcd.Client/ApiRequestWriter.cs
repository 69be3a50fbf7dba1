using System.Text.Json;
using AntiEtcd.Api;

namespace AntiEtcd.Client;

/// <summary>
/// Encodes request DTOs as request bodies of the JSON gateway: snake_case names, bytes as padded
/// standard base64, int64 as JSON numbers (both forms are accepted, SPEC §3.3), enums by name, and
/// default values left out.
/// </summary>
/// <remarks>
/// Use with <c>ApiJsonWriter.ToUtf8Bytes(request, ApiRequestWriter.Write)</c> or with a writer from
/// <c>ApiJsonWriter.CreateWriter</c>. All methods are thread-safe; a writer is not.
/// </remarks>
public static class ApiRequestWriter
{
    private static readonly string[] SortOrderNames = ["NONE", "ASCEND", "DESCEND"];
    private static readonly string[] SortTargetNames = ["KEY", "VERSION", "CREATE", "MOD", "VALUE"];
    private static readonly string[] CompareTargetNames = ["VERSION", "CREATE", "MOD", "VALUE", "LEASE"];
    private static readonly string[] CompareResultNames = ["EQUAL", "GREATER", "LESS", "NOT_EQUAL"];
    private static readonly string[] FilterNames = ["NOPUT", "NODELETE"];

    /// <summary>Writes a <c>/v3/kv/range</c> body.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="request">The request.</param>
    public static void Write(Utf8JsonWriter writer, RangeRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteStartObject();
        WriteRangeFields(writer, request);
        writer.WriteEndObject();
    }

    /// <summary>Writes a <c>/v3/kv/put</c> body.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="request">The request.</param>
    public static void Write(Utf8JsonWriter writer, PutRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteStartObject();
        WritePutFields(writer, request);
        writer.WriteEndObject();
    }

    /// <summary>Writes a <c>/v3/kv/deleterange</c> body.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="request">The request.</param>
    public static void Write(Utf8JsonWriter writer, DeleteRangeRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteStartObject();
        WriteDeleteRangeFields(writer, request);
        writer.WriteEndObject();
    }

    /// <summary>Writes a <c>/v3/kv/txn</c> body, nested txns included.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="request">The request.</param>
    public static void Write(Utf8JsonWriter writer, TxnRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        WriteTxn(writer, request);
    }

    /// <summary>Writes a <c>/v3/kv/compaction</c> body.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="request">The request.</param>
    public static void Write(Utf8JsonWriter writer, CompactionRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteStartObject();
        WriteInt64(writer, "revision", request.Revision);
        WriteBool(writer, "physical", request.Physical);
        writer.WriteEndObject();
    }

    /// <summary>Writes a <c>/v3/lease/grant</c> body.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="request">The request.</param>
    public static void Write(Utf8JsonWriter writer, LeaseGrantRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteStartObject();
        WriteInt64(writer, "TTL", request.Ttl);
        WriteInt64(writer, "ID", request.Id);
        writer.WriteEndObject();
    }

    /// <summary>Writes a <c>/v3/lease/revoke</c> body.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="request">The request.</param>
    public static void Write(Utf8JsonWriter writer, LeaseRevokeRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteStartObject();
        WriteInt64(writer, "ID", request.Id);
        writer.WriteEndObject();
    }

    /// <summary>Writes a <c>/v3/lease/keepalive</c> body (also one message of the keepalive WebSocket).</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="request">The request.</param>
    public static void Write(Utf8JsonWriter writer, LeaseKeepAliveRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteStartObject();
        WriteInt64(writer, "ID", request.Id);
        writer.WriteEndObject();
    }

    /// <summary>Writes a <c>/v3/lease/timetolive</c> body.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="request">The request.</param>
    public static void Write(Utf8JsonWriter writer, LeaseTimeToLiveRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteStartObject();
        WriteInt64(writer, "ID", request.Id);
        WriteBool(writer, "keys", request.Keys);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes a watch <c>create_request</c> message (SPEC §7.2), fields in the order anticli sends
    /// them: <c>key</c>, <c>range_end</c>, <c>watch_id</c>, <c>progress_notify</c>,
    /// <c>start_revision</c>, then <c>prev_kv</c>, <c>filters</c>, <c>fragment</c>.
    /// </summary>
    /// <param name="writer">The destination.</param>
    /// <param name="request">The request.</param>
    public static void WriteWatchCreate(Utf8JsonWriter writer, WatchCreateRequest request)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(request);
        writer.WriteStartObject();
        writer.WriteStartObject("create_request");
        // The key is always written: an empty key is a valid watch (SPEC §7.4).
        writer.WriteBase64String("key", request.Key.Span);
        WriteBytes(writer, "range_end", request.RangeEnd);
        WriteInt64(writer, "watch_id", request.WatchId);
        WriteBool(writer, "progress_notify", request.ProgressNotify);
        WriteInt64(writer, "start_revision", request.StartRevision);
        WriteBool(writer, "prev_kv", request.PrevKv);
        if (request.Filters.Count > 0)
        {
            writer.WriteStartArray("filters");
            for (int i = 0; i < request.Filters.Count; i++)
            {
                writer.WriteStringValue(FilterNames[(int)request.Filters[i]]);
            }

            writer.WriteEndArray();
        }

        WriteBool(writer, "fragment", request.Fragment);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes a watch <c>cancel_request</c> message.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="watchId">The watch to cancel.</param>
    public static void WriteWatchCancel(Utf8JsonWriter writer, long watchId)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteStartObject("cancel_request");
        writer.WriteNumber("watch_id", watchId);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Writes a watch <c>progress_request</c> message.</summary>
    /// <param name="writer">The destination.</param>
    public static void WriteWatchProgress(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteStartObject("progress_request");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteRangeFields(Utf8JsonWriter writer, RangeRequest request)
    {
        WriteBytes(writer, "key", request.Key);
        WriteBytes(writer, "range_end", request.RangeEnd);
        WriteInt64(writer, "limit", request.Limit);
        WriteInt64(writer, "revision", request.Revision);
        if (request.SortOrder != SortOrder.None)
        {
            writer.WriteString("sort_order", SortOrderNames[(int)request.SortOrder]);
        }

        if (request.SortTarget != SortTarget.Key)
        {
            writer.WriteString("sort_target", SortTargetNames[(int)request.SortTarget]);
        }

        WriteBool(writer, "serializable", request.Serializable);
        WriteBool(writer, "keys_only", request.KeysOnly);
        WriteBool(writer, "count_only", request.CountOnly);
        WriteInt64(writer, "min_mod_revision", request.MinModRevision);
        WriteInt64(writer, "max_mod_revision", request.MaxModRevision);
        WriteInt64(writer, "min_create_revision", request.MinCreateRevision);
        WriteInt64(writer, "max_create_revision", request.MaxCreateRevision);
    }

    private static void WritePutFields(Utf8JsonWriter writer, PutRequest request)
    {
        WriteBytes(writer, "key", request.Key);
        WriteBytes(writer, "value", request.Value);
        WriteInt64(writer, "lease", request.Lease);
        WriteBool(writer, "prev_kv", request.PrevKv);
        WriteBool(writer, "ignore_value", request.IgnoreValue);
        WriteBool(writer, "ignore_lease", request.IgnoreLease);
    }

    private static void WriteDeleteRangeFields(Utf8JsonWriter writer, DeleteRangeRequest request)
    {
        WriteBytes(writer, "key", request.Key);
        WriteBytes(writer, "range_end", request.RangeEnd);
        WriteBool(writer, "prev_kv", request.PrevKv);
    }

    private static void WriteTxn(Utf8JsonWriter writer, TxnRequest request)
    {
        writer.WriteStartObject();
        if (request.Compare.Count > 0)
        {
            writer.WriteStartArray("compare");
            for (int i = 0; i < request.Compare.Count; i++)
            {
                WriteCompare(writer, request.Compare[i]);
            }

            writer.WriteEndArray();
        }

        WriteOps(writer, "success", request.Success);
        WriteOps(writer, "failure", request.Failure);
        WriteBool(writer, "serializable", request.Serializable);
        writer.WriteEndObject();
    }

    private static void WriteCompare(Utf8JsonWriter writer, Compare compare)
    {
        writer.WriteStartObject();
        writer.WriteString("result", CompareResultNames[(int)compare.Result]);
        writer.WriteString("target", CompareTargetNames[(int)compare.Target]);
        WriteBytes(writer, "key", compare.Key);
        // Only the field of the target is read by the server (SPEC §4.4); 0 is written explicitly for clarity.
        switch (compare.Target)
        {
            case CompareTarget.Version:
                writer.WriteNumber("version", compare.Version);
                break;
            case CompareTarget.Create:
                writer.WriteNumber("create_revision", compare.CreateRevision);
                break;
            case CompareTarget.Mod:
                writer.WriteNumber("mod_revision", compare.ModRevision);
                break;
            case CompareTarget.Value:
                writer.WriteBase64String("value", compare.Value.Span);
                break;
            case CompareTarget.Lease:
                writer.WriteNumber("lease", compare.Lease);
                break;
        }

        WriteBytes(writer, "range_end", compare.RangeEnd);
        writer.WriteEndObject();
    }

    private static void WriteOps(Utf8JsonWriter writer, string name, IReadOnlyList<RequestOp> ops)
    {
        if (ops.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        for (int i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            writer.WriteStartObject();
            if (op.RequestRange is not null)
            {
                writer.WriteStartObject("request_range");
                WriteRangeFields(writer, op.RequestRange);
                writer.WriteEndObject();
            }
            else if (op.RequestPut is not null)
            {
                writer.WriteStartObject("request_put");
                WritePutFields(writer, op.RequestPut);
                writer.WriteEndObject();
            }
            else if (op.RequestDeleteRange is not null)
            {
                writer.WriteStartObject("request_delete_range");
                WriteDeleteRangeFields(writer, op.RequestDeleteRange);
                writer.WriteEndObject();
            }
            else if (op.RequestTxn is not null)
            {
                writer.WritePropertyName("request_txn");
                WriteTxn(writer, op.RequestTxn);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteBytes(Utf8JsonWriter writer, string name, ReadOnlyMemory<byte> value)
    {
        if (!value.IsEmpty)
        {
            writer.WriteBase64String(name, value.Span);
        }
    }

    private static void WriteInt64(Utf8JsonWriter writer, string name, long value)
    {
        if (value != 0)
        {
            writer.WriteNumber(name, value);
        }
    }

    private static void WriteBool(Utf8JsonWriter writer, string name, bool value)
    {
        if (value)
        {
            writer.WriteBoolean(name, true);
        }
    }
}
