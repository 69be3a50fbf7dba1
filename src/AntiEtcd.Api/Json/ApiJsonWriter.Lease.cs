using System.Text.Json;

namespace AntiEtcd.Api.Json;

/// <content>The lease responses (SPEC §5).</content>
public static partial class ApiJsonWriter
{
    /// <summary>Writes a <c>/v3/lease/grant</c> response: <c>header</c>, <c>ID</c>, <c>TTL</c>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="response">The response.</param>
    public static void Write(Utf8JsonWriter writer, LeaseGrantResponse response)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        writer.WriteStartObject();
        WriteHeader(writer, response.Header);
        WriteInt64(writer, WireNames.Id, response.Id);
        WriteInt64(writer, WireNames.Ttl, response.Ttl);
        writer.WriteEndObject();
    }

    /// <summary>Writes a <c>/v3/lease/revoke</c> response: <c>header</c>.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="response">The response.</param>
    public static void Write(Utf8JsonWriter writer, LeaseRevokeResponse response)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        writer.WriteStartObject();
        WriteHeader(writer, response.Header);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes a keepalive reply with etcd's wrapper: <c>{"result":{"header":…,"ID":…,"TTL":…}}</c>
    /// (SPEC §5.3, §7.6). A TTL of 0 (lease gone) is left out.
    /// </summary>
    /// <param name="writer">The destination.</param>
    /// <param name="response">The unwrapped response.</param>
    public static void WriteKeepAliveResult(Utf8JsonWriter writer, LeaseKeepAliveResponse response)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        writer.WriteStartObject();
        writer.WritePropertyName(WireNames.Result);
        writer.WriteStartObject();
        WriteHeader(writer, response.Header);
        WriteInt64(writer, WireNames.Id, response.Id);
        WriteInt64(writer, WireNames.Ttl, response.Ttl);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes a <c>/v3/lease/timetolive</c> response: <c>header</c>, <c>ID</c>, <c>TTL</c>,
    /// <c>grantedTTL</c>, <c>keys</c> (base64 strings).
    /// </summary>
    /// <param name="writer">The destination.</param>
    /// <param name="response">The response.</param>
    public static void Write(Utf8JsonWriter writer, LeaseTimeToLiveResponse response)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        writer.WriteStartObject();
        WriteHeader(writer, response.Header);
        WriteInt64(writer, WireNames.Id, response.Id);
        WriteInt64(writer, WireNames.Ttl, response.Ttl);
        WriteInt64(writer, WireNames.GrantedTtl, response.GrantedTtl);
        IReadOnlyList<ReadOnlyMemory<byte>>? keys = response.Keys;
        if (keys is not null && keys.Count > 0)
        {
            writer.WriteStartArray(WireNames.Keys);
            for (int i = 0; i < keys.Count; i++)
            {
                writer.WriteBase64StringValue(keys[i].Span);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes a <c>/v3/lease/leases</c> response: <c>header</c>, <c>leases</c> (<c>[{"ID":…}]</c>).</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="response">The response.</param>
    public static void Write(Utf8JsonWriter writer, LeaseLeasesResponse response)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        writer.WriteStartObject();
        WriteHeader(writer, response.Header);
        IReadOnlyList<LeaseStatus>? leases = response.Leases;
        if (leases is not null && leases.Count > 0)
        {
            writer.WriteStartArray(WireNames.Leases);
            for (int i = 0; i < leases.Count; i++)
            {
                writer.WriteStartObject();
                WriteInt64(writer, WireNames.Id, leases[i].Id);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}
