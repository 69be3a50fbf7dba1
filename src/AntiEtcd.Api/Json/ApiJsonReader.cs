using System.Text.Json;
using System.Text.Unicode;

namespace AntiEtcd.Api.Json;

/// <summary>
/// Decodes HTTP request bodies and WebSocket messages into the API DTOs, with etcd's decoding
/// rules and AntiEtcd's exact error texts (SPEC §3.2 step 5, §3.3, §3.5, §7.2).
/// </summary>
/// <remarks>
/// <para>
/// Hand-written over <see cref="Utf8JsonReader"/>: no reflection, no intermediate DOM. The body
/// is first validated as a whole (UTF-8, JSON syntax, depth ≤ 64, no trailing content), so a
/// syntax error anywhere wins over a field error; then each object is read twice, once to find
/// the last occurrence of every known field (earlier ones are skipped without validation), and
/// once to decode those occurrences in document order, so the first invalid field wins.
/// </para>
/// <para>
/// Decoded keys and values are fresh arrays: the DTOs never alias the caller's body buffer,
/// which may be returned to a pool as soon as the call returns. All methods are thread-safe.
/// </para>
/// </remarks>
public static partial class ApiJsonReader
{
    /// <summary>SPEC §3.6: bad JSON, invalid UTF-8, trailing content or nesting deeper than 64.</summary>
    public const string InvalidJsonMessage = "body should be valid JSON";

    /// <summary>SPEC §3.6: a body that is valid JSON but not an object.</summary>
    public const string NotObjectMessage = "body should be JSON object";

    /// <summary>The nesting limit of SPEC §3.2 step 5 (the body object itself is level 1).</summary>
    public const int MaxDepth = 64;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    /// <summary>Decodes a <c>/v3/kv/range</c> body (SPEC §4.1).</summary>
    /// <param name="body">The whole HTTP body; empty or white space counts as <c>{}</c>.</param>
    /// <param name="flags">The body flags of SPEC §3.5 (<c>serializable</c> also sets <see cref="RangeRequest.Serializable"/>).</param>
    /// <exception cref="ApiDecodeException">The body fails SPEC §3.2 step 5 or §3.3.</exception>
    public static RangeRequest ReadRangeRequest(ReadOnlySpan<byte> body, out RequestFlags flags)
    {
        var reader = OpenBody(body);
        var path = default(DecodePath);
        flags = RequestFlags.None;
        return DecodeRange(ref reader, ref path, ref flags, topLevel: true);
    }

    /// <summary>Decodes a <c>/v3/kv/put</c> body (SPEC §4.2).</summary>
    /// <param name="body">The whole HTTP body; empty or white space counts as <c>{}</c>.</param>
    /// <param name="flags">The body flags of SPEC §3.5.</param>
    /// <exception cref="ApiDecodeException">The body fails SPEC §3.2 step 5 or §3.3.</exception>
    public static PutRequest ReadPutRequest(ReadOnlySpan<byte> body, out RequestFlags flags)
    {
        var reader = OpenBody(body);
        var path = default(DecodePath);
        flags = RequestFlags.None;
        return DecodePut(ref reader, ref path, ref flags, topLevel: true);
    }

    /// <summary>Decodes a <c>/v3/kv/deleterange</c> body (SPEC §4.3).</summary>
    /// <param name="body">The whole HTTP body; empty or white space counts as <c>{}</c>.</param>
    /// <param name="flags">The body flags of SPEC §3.5.</param>
    /// <exception cref="ApiDecodeException">The body fails SPEC §3.2 step 5 or §3.3.</exception>
    public static DeleteRangeRequest ReadDeleteRangeRequest(ReadOnlySpan<byte> body, out RequestFlags flags)
    {
        var reader = OpenBody(body);
        var path = default(DecodePath);
        flags = RequestFlags.None;
        return DecodeDeleteRange(ref reader, ref path, ref flags, topLevel: true);
    }

    /// <summary>Decodes a <c>/v3/kv/txn</c> body (SPEC §4.4), nested txns included.</summary>
    /// <remarks>
    /// Only decoding errors are reported here (SPEC §4.4 step 1): an empty op decodes to a
    /// <see cref="RequestOp"/> with no property set, and the structure checks are the validator's.
    /// </remarks>
    /// <param name="body">The whole HTTP body; empty or white space counts as <c>{}</c>.</param>
    /// <param name="flags">The body flags of SPEC §3.5.</param>
    /// <exception cref="ApiDecodeException">The body fails SPEC §3.2 step 5 or §3.3.</exception>
    public static TxnRequest ReadTxnRequest(ReadOnlySpan<byte> body, out RequestFlags flags)
    {
        var reader = OpenBody(body);
        var path = default(DecodePath);
        flags = RequestFlags.None;
        return DecodeTxn(ref reader, ref path, ref flags, topLevel: true);
    }

    /// <summary>Decodes a <c>/v3/kv/compaction</c> body (SPEC §4.5).</summary>
    /// <param name="body">The whole HTTP body; empty or white space counts as <c>{}</c>.</param>
    /// <param name="flags">The body flags of SPEC §3.5.</param>
    /// <exception cref="ApiDecodeException">The body fails SPEC §3.2 step 5 or §3.3.</exception>
    public static CompactionRequest ReadCompactionRequest(ReadOnlySpan<byte> body, out RequestFlags flags)
    {
        var reader = OpenBody(body);
        var path = default(DecodePath);
        flags = RequestFlags.None;
        return DecodeCompaction(ref reader, ref path, ref flags);
    }

    /// <summary>Decodes a <c>/v3/lease/grant</c> body (SPEC §5.1).</summary>
    /// <param name="body">The whole HTTP body; empty or white space counts as <c>{}</c>.</param>
    /// <param name="flags">The body flags of SPEC §3.5.</param>
    /// <exception cref="ApiDecodeException">The body fails SPEC §3.2 step 5 or §3.3.</exception>
    public static LeaseGrantRequest ReadLeaseGrantRequest(ReadOnlySpan<byte> body, out RequestFlags flags)
    {
        var reader = OpenBody(body);
        var path = default(DecodePath);
        flags = RequestFlags.None;
        return DecodeLeaseGrant(ref reader, ref path, ref flags);
    }

    /// <summary>Decodes a <c>/v3/lease/revoke</c> body (SPEC §5.2).</summary>
    /// <param name="body">The whole HTTP body; empty or white space counts as <c>{}</c>.</param>
    /// <param name="flags">The body flags of SPEC §3.5.</param>
    /// <exception cref="ApiDecodeException">The body fails SPEC §3.2 step 5 or §3.3.</exception>
    public static LeaseRevokeRequest ReadLeaseRevokeRequest(ReadOnlySpan<byte> body, out RequestFlags flags)
    {
        var reader = OpenBody(body);
        var path = default(DecodePath);
        flags = RequestFlags.None;
        return new LeaseRevokeRequest { Id = DecodeLeaseId(ref reader, ref path, ref flags) };
    }

    /// <summary>Decodes a <c>/v3/lease/keepalive</c> body or keepalive WebSocket message (SPEC §5.3, §7.6).</summary>
    /// <param name="body">The whole HTTP body; empty or white space counts as <c>{}</c>.</param>
    /// <param name="flags">The body flags of SPEC §3.5.</param>
    /// <exception cref="ApiDecodeException">The body fails SPEC §3.2 step 5 or §3.3.</exception>
    public static LeaseKeepAliveRequest ReadLeaseKeepAliveRequest(ReadOnlySpan<byte> body, out RequestFlags flags)
    {
        var reader = OpenBody(body);
        var path = default(DecodePath);
        flags = RequestFlags.None;
        return new LeaseKeepAliveRequest { Id = DecodeLeaseId(ref reader, ref path, ref flags) };
    }

    /// <summary>Decodes a <c>/v3/lease/timetolive</c> body (SPEC §5.4).</summary>
    /// <param name="body">The whole HTTP body; empty or white space counts as <c>{}</c>.</param>
    /// <param name="flags">The body flags of SPEC §3.5.</param>
    /// <exception cref="ApiDecodeException">The body fails SPEC §3.2 step 5 or §3.3.</exception>
    public static LeaseTimeToLiveRequest ReadLeaseTimeToLiveRequest(ReadOnlySpan<byte> body, out RequestFlags flags)
    {
        var reader = OpenBody(body);
        var path = default(DecodePath);
        flags = RequestFlags.None;
        return DecodeLeaseTimeToLive(ref reader, ref path, ref flags);
    }

    /// <summary>
    /// Checks a body that carries no request fields (<c>/v3/lease/leases</c>,
    /// <c>/v3/maintenance/status</c>): JSON, object, and the bool flags of SPEC §3.5.
    /// </summary>
    /// <param name="body">The whole HTTP body; empty or white space counts as <c>{}</c>.</param>
    /// <param name="flags">The body flags of SPEC §3.5.</param>
    /// <exception cref="ApiDecodeException">The body fails SPEC §3.2 step 5 or §3.3.</exception>
    public static void ReadEmptyRequest(ReadOnlySpan<byte> body, out RequestFlags flags)
    {
        var reader = OpenBody(body);
        var path = default(DecodePath);
        flags = RequestFlags.None;
        DecodeFlagsOnly(ref reader, ref path, ref flags);
    }

    /// <summary>
    /// The truth value of a flag given as a query parameter (SPEC §3.5): <c>1</c>, <c>true</c>,
    /// <c>yes</c> or <c>on</c>, case-insensitive. Anything else, the empty value included, is false.
    /// </summary>
    /// <param name="queryValue">The decoded query parameter value.</param>
    public static bool TryParseFlagValue(ReadOnlySpan<char> queryValue) =>
        queryValue.Equals("1", StringComparison.Ordinal)
        || queryValue.Equals("true", StringComparison.OrdinalIgnoreCase)
        || queryValue.Equals("yes", StringComparison.OrdinalIgnoreCase)
        || queryValue.Equals("on", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// SPEC §3.2 step 5: validates the whole body and returns a reader on its opening brace.
    /// </summary>
    private static Utf8JsonReader OpenBody(ReadOnlySpan<byte> body)
    {
        if (IsJsonWhiteSpace(body))
        {
            body = "{}"u8;
        }

        // Utf8JsonReader checks the structure but not the UTF-8 inside strings.
        if (!Utf8.IsValid(body))
        {
            throw new ApiDecodeException(InvalidJsonMessage);
        }

        if (!IsOneJsonValue(body))
        {
            throw new ApiDecodeException(InvalidJsonMessage);
        }

        var start = new Utf8JsonReader(body, ReaderOptions);
        start.Read();

        if (start.TokenType != JsonTokenType.StartObject)
        {
            throw new ApiDecodeException(NotObjectMessage);
        }

        return start;
    }

    /// <summary>
    /// Reads every token of a message that must be exactly one JSON value. False for bad JSON,
    /// trailing content, too deep nesting, or an escaped lone surrogate (<c>"\ud800"</c>), which
    /// the reader's structural check lets through but which cannot be decoded to text.
    /// </summary>
    private static bool IsOneJsonValue(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                return false;
            }

            do
            {
                if (reader.ValueIsEscaped && reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    _ = reader.GetString();
                }
            }
            while (reader.Read());

            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsJsonWhiteSpace(ReadOnlySpan<byte> body) =>
        body.IndexOfAnyExcept(" \t\r\n"u8) < 0;
}
