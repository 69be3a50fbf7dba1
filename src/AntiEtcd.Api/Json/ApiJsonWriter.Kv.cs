using System.Text.Json;

namespace AntiEtcd.Api.Json;

/// <content>The KV responses (SPEC §4).</content>
public static partial class ApiJsonWriter
{
    /// <summary>Writes a <c>/v3/kv/range</c> response: <c>header</c>, <c>kvs</c>, <c>more</c>, <c>count</c>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="response">The response.</param>
    public static void Write(Utf8JsonWriter writer, RangeResponse response)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        WriteRange(writer, response, nested: false);
    }

    /// <summary>Writes a <c>/v3/kv/put</c> response: <c>header</c>, <c>prev_kv</c>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="response">The response.</param>
    public static void Write(Utf8JsonWriter writer, PutResponse response)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        WritePut(writer, response, nested: false);
    }

    /// <summary>Writes a <c>/v3/kv/deleterange</c> response: <c>header</c>, <c>deleted</c>, <c>prev_kvs</c>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="response">The response.</param>
    public static void Write(Utf8JsonWriter writer, DeleteRangeResponse response)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        WriteDeleteRange(writer, response, nested: false);
    }

    /// <summary>Writes a <c>/v3/kv/txn</c> response: <c>header</c>, <c>succeeded</c>, <c>responses</c>.</summary>
    /// <remarks>
    /// Sub-responses get a header with only <c>revision</c>, and a nested <c>response_txn</c> gets
    /// <c>"header":{}</c> whatever its DTO holds (SPEC §3.4, §4.4), so the executor need not trim them.
    /// A <see cref="ResponseOp"/> with no property set is written as <c>{}</c>.
    /// </remarks>
    /// <param name="writer">The destination.</param>
    /// <param name="response">The response.</param>
    public static void Write(Utf8JsonWriter writer, TxnResponse response)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        WriteTxn(writer, response, nested: false);
    }

    /// <summary>Writes a <c>/v3/kv/compaction</c> response: <c>header</c>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="response">The response.</param>
    public static void Write(Utf8JsonWriter writer, CompactionResponse response)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        writer.WriteStartObject();
        WriteHeader(writer, response.Header);
        writer.WriteEndObject();
    }

    private static void WriteRange(Utf8JsonWriter writer, RangeResponse response, bool nested)
    {
        writer.WriteStartObject();
        if (nested)
        {
            WriteSubHeader(writer, response.Header);
        }
        else
        {
            WriteHeader(writer, response.Header);
        }

        WriteKeyValues(writer, WireNames.Kvs, response.Kvs);
        WriteBool(writer, WireNames.More, response.More);
        WriteInt64(writer, WireNames.Count, response.Count);
        writer.WriteEndObject();
    }

    private static void WritePut(Utf8JsonWriter writer, PutResponse response, bool nested)
    {
        writer.WriteStartObject();
        if (nested)
        {
            WriteSubHeader(writer, response.Header);
        }
        else
        {
            WriteHeader(writer, response.Header);
        }

        if (response.PrevKv is not null)
        {
            writer.WritePropertyName(WireNames.PrevKv);
            WriteKeyValue(writer, response.PrevKv);
        }

        writer.WriteEndObject();
    }

    private static void WriteDeleteRange(Utf8JsonWriter writer, DeleteRangeResponse response, bool nested)
    {
        writer.WriteStartObject();
        if (nested)
        {
            WriteSubHeader(writer, response.Header);
        }
        else
        {
            WriteHeader(writer, response.Header);
        }

        WriteInt64(writer, WireNames.Deleted, response.Deleted);
        WriteKeyValues(writer, WireNames.PrevKvs, response.PrevKvs);
        writer.WriteEndObject();
    }

    private static void WriteTxn(Utf8JsonWriter writer, TxnResponse response, bool nested)
    {
        writer.WriteStartObject();
        if (nested)
        {
            // etcd leaves a nested txn's header empty (SPEC §3.4).
            writer.WritePropertyName(WireNames.Header);
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
        else
        {
            WriteHeader(writer, response.Header);
        }

        WriteBool(writer, WireNames.Succeeded, response.Succeeded);
        IReadOnlyList<ResponseOp>? responses = response.Responses;
        if (responses is not null && responses.Count > 0)
        {
            writer.WriteStartArray(WireNames.Responses);
            for (int i = 0; i < responses.Count; i++)
            {
                WriteResponseOp(writer, responses[i]);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteResponseOp(Utf8JsonWriter writer, ResponseOp op)
    {
        writer.WriteStartObject();
        if (op.ResponseRange is not null)
        {
            writer.WritePropertyName(WireNames.ResponseRange);
            WriteRange(writer, op.ResponseRange, nested: true);
        }
        else if (op.ResponsePut is not null)
        {
            writer.WritePropertyName(WireNames.ResponsePut);
            WritePut(writer, op.ResponsePut, nested: true);
        }
        else if (op.ResponseDeleteRange is not null)
        {
            writer.WritePropertyName(WireNames.ResponseDeleteRange);
            WriteDeleteRange(writer, op.ResponseDeleteRange, nested: true);
        }
        else if (op.ResponseTxn is not null)
        {
            writer.WritePropertyName(WireNames.ResponseTxn);
            WriteTxn(writer, op.ResponseTxn, nested: true);
        }

        writer.WriteEndObject();
    }
}
