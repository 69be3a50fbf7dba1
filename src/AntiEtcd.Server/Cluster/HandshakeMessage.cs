using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace AntiEtcd.Server.Cluster;

/// <summary>One handshake message, written and parsed without reflection (SPEC §10.3).</summary>
/// <remarks>
/// Wire shape: <c>{"hello":{"protocol":1,"node_id":S,"cluster_id":C,"challenge":…,"settings":G}}</c>,
/// <c>{"auth":{"protocol":1,"node_id":N,"cluster_id":C,"nonce":…,"mac":…,"settings":G}}</c>,
/// <c>{"auth_ok":{"mac":…}}</c>, with <c>G = {"persistence":…,"persist_filter":…,"max_request_bytes":N}</c>.
/// <c>cluster_id</c> is written as a decimal string, like every uint64 in the JSON API; a number is accepted too.
/// Unknown fields are ignored.
/// </remarks>
internal sealed record HandshakeMessage
{
    /// <summary>Which message this is.</summary>
    public required HandshakeKind Kind { get; init; }

    /// <summary>The protocol version (hello, auth).</summary>
    public int Protocol { get; init; }

    /// <summary>The sender's node_id: S in hello, N in auth.</summary>
    public string NodeId { get; init; } = "";

    /// <summary>The sender's cluster_id (hello, auth).</summary>
    public ulong ClusterId { get; init; }

    /// <summary>The server's challenge as sent, base64 (hello).</summary>
    public string Challenge { get; init; } = "";

    /// <summary>The client's nonce as sent, base64 (auth).</summary>
    public string Nonce { get; init; } = "";

    /// <summary>M1 (auth) or M2 (auth_ok), base64.</summary>
    public string Mac { get; init; } = "";

    /// <summary>The sender's shared settings G (hello, auth).</summary>
    public SharedSettings? Settings { get; init; }

    /// <summary>The UTF-8 JSON text of this message.</summary>
    public byte[] ToUtf8()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(Kind switch
            {
                HandshakeKind.Hello => "hello",
                HandshakeKind.Auth => "auth",
                _ => "auth_ok",
            });
            if (Kind != HandshakeKind.AuthOk)
            {
                writer.WriteNumber("protocol", Protocol);
                writer.WriteString("node_id", NodeId);
                writer.WriteString("cluster_id", ClusterId.ToString(CultureInfo.InvariantCulture));
                if (Kind == HandshakeKind.Hello)
                {
                    writer.WriteString("challenge", Challenge);
                }
                else
                {
                    writer.WriteString("nonce", Nonce);
                }
            }

            if (Kind != HandshakeKind.Hello)
            {
                writer.WriteString("mac", Mac);
            }

            if (Kind != HandshakeKind.AuthOk)
            {
                var settings = Settings ?? throw new InvalidOperationException("hello and auth carry settings");
                writer.WriteStartObject("settings");
                writer.WriteString(SharedSettings.PersistenceName, settings.Persistence);
                writer.WriteString(SharedSettings.PersistFilterName, settings.PersistFilter);
                writer.WriteNumber(SharedSettings.MaxRequestBytesName, settings.MaxRequestBytes);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses <paramref name="utf8"/>, which must be the message <paramref name="expected"/>.</summary>
    /// <exception cref="PeerAuthException">Not JSON, another message, or a missing or mistyped field.</exception>
    public static HandshakeMessage Parse(ReadOnlyMemory<byte> utf8, HandshakeKind expected)
    {
        var name = expected switch
        {
            HandshakeKind.Hello => "hello",
            HandshakeKind.Auth => "auth",
            _ => "auth_ok",
        };
        try
        {
            using var document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out var body) || body.ValueKind != JsonValueKind.Object)
            {
                throw new PeerAuthException($"expected {name}");
            }

            if (expected == HandshakeKind.AuthOk)
            {
                return new HandshakeMessage { Kind = expected, Mac = RequiredString(body, "mac") };
            }

            return new HandshakeMessage
            {
                Kind = expected,
                Protocol = RequiredInt(body, "protocol"),
                NodeId = RequiredString(body, "node_id"),
                ClusterId = RequiredUInt64(body, "cluster_id"),
                Challenge = expected == HandshakeKind.Hello ? RequiredString(body, "challenge") : "",
                Nonce = expected == HandshakeKind.Auth ? RequiredString(body, "nonce") : "",
                Mac = expected == HandshakeKind.Auth ? RequiredString(body, "mac") : "",
                Settings = ParseSettings(body),
            };
        }
        catch (JsonException e)
        {
            throw new PeerAuthException($"malformed {name}", e);
        }
    }

    private static SharedSettings ParseSettings(JsonElement body)
    {
        if (!body.TryGetProperty("settings", out var settings) || settings.ValueKind != JsonValueKind.Object)
        {
            throw new PeerAuthException("missing settings");
        }

        return new SharedSettings(
            RequiredString(settings, SharedSettings.PersistenceName),
            RequiredString(settings, SharedSettings.PersistFilterName),
            RequiredInt(settings, SharedSettings.MaxRequestBytesName));
    }

    private static string RequiredString(JsonElement body, string field) =>
        body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new PeerAuthException($"missing or invalid {field}");

    private static int RequiredInt(JsonElement body, string field) =>
        body.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw new PeerAuthException($"missing or invalid {field}");

    private static ulong RequiredUInt64(JsonElement body, string field)
    {
        if (body.TryGetProperty(field, out var value))
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number))
            {
                return number;
            }

            if (value.ValueKind == JsonValueKind.String && ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number))
            {
                return number;
            }
        }

        throw new PeerAuthException($"missing or invalid {field}");
    }
}
