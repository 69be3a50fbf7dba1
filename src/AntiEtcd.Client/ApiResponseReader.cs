using System.Globalization;
using System.Text;
using System.Text.Json;
using AntiEtcd.Api;

namespace AntiEtcd.Client;

/// <summary>
/// Decodes response bodies of the JSON gateway into the <c>AntiEtcd.Api</c> DTOs. Lenient where
/// the server is strict: int64 fields may be strings or numbers, unknown fields are skipped, and a
/// missing field keeps its default (SPEC §3.4 leaves defaults out).
/// </summary>
/// <remarks>
/// Every method throws <see cref="FormatException"/> for a body that is not JSON or has a field of
/// the wrong type. Decoded bytes are fresh arrays. All methods are thread-safe.
/// </remarks>
public static class ApiResponseReader
{
    /// <summary>Decodes a <c>/v3/kv/range</c> response.</summary>
    /// <param name="body">The JSON body.</param>
    public static RangeResponse ReadRangeResponse(ReadOnlyMemory<byte> body) => Decode(body, ReadRange);

    /// <summary>Decodes a <c>/v3/kv/put</c> response.</summary>
    /// <param name="body">The JSON body.</param>
    public static PutResponse ReadPutResponse(ReadOnlyMemory<byte> body) => Decode(body, ReadPut);

    /// <summary>Decodes a <c>/v3/kv/deleterange</c> response.</summary>
    /// <param name="body">The JSON body.</param>
    public static DeleteRangeResponse ReadDeleteRangeResponse(ReadOnlyMemory<byte> body) => Decode(body, ReadDeleteRange);

    /// <summary>Decodes a <c>/v3/kv/txn</c> response, nested txns included.</summary>
    /// <param name="body">The JSON body.</param>
    public static TxnResponse ReadTxnResponse(ReadOnlyMemory<byte> body) => Decode(body, ReadTxn);

    /// <summary>Decodes a <c>/v3/lease/grant</c> response.</summary>
    /// <param name="body">The JSON body.</param>
    public static LeaseGrantResponse ReadLeaseGrantResponse(ReadOnlyMemory<byte> body) => Decode(body, e => new LeaseGrantResponse
    {
        Header = ReadHeader(e),
        Id = GetInt64(e, "ID"),
        Ttl = GetInt64(e, "TTL"),
    });

    /// <summary>Decodes a <c>/v3/lease/revoke</c> response.</summary>
    /// <param name="body">The JSON body.</param>
    public static LeaseRevokeResponse ReadLeaseRevokeResponse(ReadOnlyMemory<byte> body) => Decode(body, e => new LeaseRevokeResponse { Header = ReadHeader(e) });

    /// <summary>
    /// Decodes a <c>/v3/lease/keepalive</c> response (or keepalive WebSocket message), unwrapping
    /// its <c>result</c> (SPEC §5.3). <c>Ttl</c> 0 means the lease is gone.
    /// </summary>
    /// <param name="body">The JSON body.</param>
    public static LeaseKeepAliveResponse ReadLeaseKeepAliveResponse(ReadOnlyMemory<byte> body) => Decode(body, e =>
    {
        var result = e.TryGetProperty("result", out var r) && r.ValueKind == JsonValueKind.Object ? r : e;
        return new LeaseKeepAliveResponse { Header = ReadHeader(result), Id = GetInt64(result, "ID"), Ttl = GetInt64(result, "TTL") };
    });

    /// <summary>Decodes a <c>/v3/lease/timetolive</c> response.</summary>
    /// <param name="body">The JSON body.</param>
    public static LeaseTimeToLiveResponse ReadLeaseTimeToLiveResponse(ReadOnlyMemory<byte> body) => Decode(body, e =>
    {
        var keys = new List<ReadOnlyMemory<byte>>();
        if (TryGet(e, "keys", JsonValueKind.Array, out var array))
        {
            foreach (var key in array.EnumerateArray())
            {
                keys.Add(GetBytes(key, "keys"));
            }
        }

        return new LeaseTimeToLiveResponse
        {
            Header = ReadHeader(e),
            Id = GetInt64(e, "ID"),
            Ttl = GetInt64(e, "TTL"),
            GrantedTtl = GetInt64(e, "grantedTTL"),
            Keys = keys,
        };
    });

    /// <summary>Decodes a <c>/v3/lease/leases</c> response.</summary>
    /// <param name="body">The JSON body.</param>
    public static LeaseLeasesResponse ReadLeaseLeasesResponse(ReadOnlyMemory<byte> body) => Decode(body, e =>
    {
        var leases = new List<LeaseStatus>();
        if (TryGet(e, "leases", JsonValueKind.Array, out var array))
        {
            foreach (var lease in array.EnumerateArray())
            {
                leases.Add(new LeaseStatus { Id = GetInt64(lease, "ID") });
            }
        }

        return new LeaseLeasesResponse { Header = ReadHeader(e), Leases = leases };
    });

    /// <summary>Decodes a <c>/v3/maintenance/status</c> response, extensions included (SPEC §6.1).</summary>
    /// <param name="body">The JSON body.</param>
    public static StatusResponse ReadStatusResponse(ReadOnlyMemory<byte> body) => Decode(body, e =>
    {
        Dictionary<string, string>? cluster = null;
        if (TryGet(e, "cluster", JsonValueKind.Object, out var members))
        {
            cluster = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var member in members.EnumerateObject())
            {
                cluster[member.Name] = member.Value.ToString();
            }
        }

        return new StatusResponse
        {
            Header = ReadHeader(e),
            Version = GetString(e, "version"),
            DbSize = GetInt64(e, "dbSize"),
            Leader = GetUInt64(e, "leader"),
            RaftIndex = GetUInt64(e, "raftIndex"),
            RaftTerm = GetUInt64(e, "raftTerm"),
            RaftAppliedIndex = GetUInt64(e, "raftAppliedIndex"),
            Errors = GetStrings(e, "errors"),
            DbSizeInUse = GetInt64(e, "dbSizeInUse"),
            NodeId = GetString(e, "nodeId"),
            LeaderNodeId = GetString(e, "leaderNodeId"),
            RaftState = GetString(e, "raftState"),
            Cluster = cluster,
            Followers = TryGet(e, "followers", JsonValueKind.Array, out _) ? GetStrings(e, "followers") : null,
            CompactRevision = GetInt64(e, "compactRevision"),
            ImportState = GetString(e, "importState"),
        };
    });

    /// <summary>
    /// Decodes one server message of a watch stream (SPEC §7.3): the <c>WatchResponse</c> inside
    /// <c>result</c>, or null for a message without one (<c>{"error":"bad-json"}</c> and the like).
    /// </summary>
    /// <param name="message">One WebSocket text message.</param>
    public static WatchResponse? ReadWatchMessage(ReadOnlyMemory<byte> message) => Decode(message, e =>
    {
        if (!TryGet(e, "result", JsonValueKind.Object, out var result))
        {
            return null;
        }

        var events = new List<Event>();
        if (TryGet(result, "events", JsonValueKind.Array, out var array))
        {
            foreach (var ev in array.EnumerateArray())
            {
                events.Add(new Event
                {
                    Type = GetString(ev, "type") == "DELETE" || (ev.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.Number && t.GetInt32() == 1) ? EventType.Delete : EventType.Put,
                    Kv = TryGet(ev, "kv", JsonValueKind.Object, out var kv) ? ReadKeyValue(kv) : new KeyValue(),
                    PrevKv = TryGet(ev, "prev_kv", JsonValueKind.Object, out var prev) ? ReadKeyValue(prev) : null,
                });
            }
        }

        return new WatchResponse
        {
            Header = ReadHeader(result),
            WatchId = GetInt64(result, "watch_id"),
            Created = GetBool(result, "created"),
            Canceled = GetBool(result, "canceled"),
            CompactRevision = GetInt64(result, "compact_revision"),
            CancelReason = GetString(result, "cancel_reason"),
            Fragment = GetBool(result, "fragment"),
            Events = events,
        };
    });

    /// <summary>
    /// The message and gRPC code of an error answer: the JSON <c>message</c> (or <c>error</c>) and
    /// <c>code</c> when the body has them, otherwise the body text or the HTTP status line.
    /// </summary>
    internal static (string Message, int Code) ReadError(byte[] body, HttpResponseMessage response)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                string message = GetString(root, "message");
                if (message.Length == 0)
                {
                    message = GetString(root, "error");
                }

                if (message.Length > 0)
                {
                    int code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out int n) ? n : 0;
                    return (message, code);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall through to the text.
        }
        catch (FormatException)
        {
            // A message of the wrong type: fall through to the text.
        }

        var text = Encoding.UTF8.GetString(body).Trim();
        return (text.Length > 0 ? text : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", 0);
    }

    private static T Decode<T>(ReadOnlyMemory<byte> body, Func<JsonElement, T> read)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("response is not a JSON object");
            }

            return read(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"response is not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new FormatException($"response has a field of the wrong type: {ex.Message}", ex);
        }
    }

    private static RangeResponse ReadRange(JsonElement e)
    {
        var kvs = new List<KeyValue>();
        if (TryGet(e, "kvs", JsonValueKind.Array, out var array))
        {
            foreach (var kv in array.EnumerateArray())
            {
                kvs.Add(ReadKeyValue(kv));
            }
        }

        return new RangeResponse { Header = ReadHeader(e), Kvs = kvs, More = GetBool(e, "more"), Count = GetInt64(e, "count") };
    }

    private static PutResponse ReadPut(JsonElement e) => new()
    {
        Header = ReadHeader(e),
        PrevKv = TryGet(e, "prev_kv", JsonValueKind.Object, out var prev) ? ReadKeyValue(prev) : null,
    };

    private static DeleteRangeResponse ReadDeleteRange(JsonElement e)
    {
        var prev = new List<KeyValue>();
        if (TryGet(e, "prev_kvs", JsonValueKind.Array, out var array))
        {
            foreach (var kv in array.EnumerateArray())
            {
                prev.Add(ReadKeyValue(kv));
            }
        }

        return new DeleteRangeResponse { Header = ReadHeader(e), Deleted = GetInt64(e, "deleted"), PrevKvs = prev };
    }

    private static TxnResponse ReadTxn(JsonElement e)
    {
        var responses = new List<ResponseOp>();
        if (TryGet(e, "responses", JsonValueKind.Array, out var array))
        {
            foreach (var op in array.EnumerateArray())
            {
                responses.Add(new ResponseOp
                {
                    ResponseRange = TryGet(op, "response_range", JsonValueKind.Object, out var range) ? ReadRange(range) : null,
                    ResponsePut = TryGet(op, "response_put", JsonValueKind.Object, out var put) ? ReadPut(put) : null,
                    ResponseDeleteRange = TryGet(op, "response_delete_range", JsonValueKind.Object, out var delete) ? ReadDeleteRange(delete) : null,
                    ResponseTxn = TryGet(op, "response_txn", JsonValueKind.Object, out var txn) ? ReadTxn(txn) : null,
                });
            }
        }

        return new TxnResponse { Header = ReadHeader(e), Succeeded = GetBool(e, "succeeded"), Responses = responses };
    }

    private static ResponseHeader ReadHeader(JsonElement e)
    {
        if (!TryGet(e, "header", JsonValueKind.Object, out var header))
        {
            return new ResponseHeader();
        }

        return new ResponseHeader
        {
            ClusterId = GetUInt64(header, "cluster_id"),
            MemberId = GetUInt64(header, "member_id"),
            Revision = GetInt64(header, "revision"),
            RaftTerm = GetUInt64(header, "raft_term"),
        };
    }

    private static KeyValue ReadKeyValue(JsonElement e) => new()
    {
        Key = TryGet(e, "key", JsonValueKind.String, out var key) ? GetBytes(key, "key") : ReadOnlyMemory<byte>.Empty,
        CreateRevision = GetInt64(e, "create_revision"),
        ModRevision = GetInt64(e, "mod_revision"),
        Version = GetInt64(e, "version"),
        Value = TryGet(e, "value", JsonValueKind.String, out var value) ? GetBytes(value, "value") : ReadOnlyMemory<byte>.Empty,
        Lease = GetInt64(e, "lease"),
    };

    private static bool TryGet(JsonElement e, string name, JsonValueKind kind, out JsonElement value)
    {
        if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            if (value.ValueKind != kind)
            {
                throw new FormatException($"field \"{name}\" should be {kind}, not {value.ValueKind}");
            }

            return true;
        }

        value = default;
        return false;
    }

    private static long GetInt64(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw new FormatException($"field \"{name}\" should be an int64");
    }

    private static ulong GetUInt64(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out ulong number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw new FormatException($"field \"{name}\" should be a uint64");
    }

    private static bool GetBool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw new FormatException($"field \"{name}\" should be a boolean"),
        };

    private static string GetString(JsonElement e, string name) =>
        TryGet(e, name, JsonValueKind.String, out var value) ? value.GetString() ?? "" : "";

    private static List<string> GetStrings(JsonElement e, string name)
    {
        var list = new List<string>();
        if (TryGet(e, name, JsonValueKind.Array, out var array))
        {
            foreach (var item in array.EnumerateArray())
            {
                list.Add(item.ToString());
            }
        }

        return list;
    }

    private static ReadOnlyMemory<byte> GetBytes(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"field \"{name}\" should be a base64 string");
        }

        return value.TryGetBytesFromBase64(out var bytes) ? bytes : throw new FormatException($"field \"{name}\" is not valid base64");
    }
}
