using System.Text.Json;

namespace AntiEtcd.Api.Json;

/// <content>The status response (SPEC §6.1).</content>
public static partial class ApiJsonWriter
{
    /// <summary>
    /// Writes a <c>/v3/maintenance/status</c> response in SPEC §6.1 order: etcd's fields, then
    /// the extensions.
    /// </summary>
    /// <remarks>
    /// <c>leader</c> is a member ID, so a decimal string like every uint64. <c>cluster</c> is
    /// written as an object, in the dictionary's enumeration order, whenever it is not null;
    /// <c>followers</c> and <c>errors</c> are left out when null or empty.
    /// </remarks>
    /// <param name="writer">The destination.</param>
    /// <param name="response">The response.</param>
    public static void Write(Utf8JsonWriter writer, StatusResponse response)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(response);
        writer.WriteStartObject();
        WriteHeader(writer, response.Header);
        WriteText(writer, WireNames.StatusVersion, response.Version);
        WriteInt64(writer, WireNames.DbSize, response.DbSize);
        WriteUInt64(writer, WireNames.Leader, response.Leader);
        WriteUInt64(writer, WireNames.RaftIndex, response.RaftIndex);
        WriteUInt64(writer, WireNames.StatusRaftTerm, response.RaftTerm);
        WriteUInt64(writer, WireNames.RaftAppliedIndex, response.RaftAppliedIndex);
        WriteTextArray(writer, WireNames.Errors, response.Errors);
        WriteInt64(writer, WireNames.DbSizeInUse, response.DbSizeInUse);
        WriteText(writer, WireNames.NodeId, response.NodeId);
        WriteText(writer, WireNames.LeaderNodeId, response.LeaderNodeId);
        WriteText(writer, WireNames.RaftState, response.RaftState);
        if (response.Cluster is not null)
        {
            writer.WritePropertyName(WireNames.Cluster);
            writer.WriteStartObject();
            foreach (KeyValuePair<string, string> member in response.Cluster)
            {
                // Node IDs are validated names, but escape them anyway: the writer must never emit broken JSON.
                writer.WritePropertyName(member.Key);
                JsonText.WriteValue(writer, member.Value);
            }

            writer.WriteEndObject();
        }

        WriteTextArray(writer, WireNames.Followers, response.Followers);
        WriteInt64(writer, WireNames.StatusCompactRevision, response.CompactRevision);
        WriteText(writer, WireNames.ImportState, response.ImportState);
        writer.WriteEndObject();
    }

    private static void WriteTextArray(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyList<string>? values)
    {
        if (values is null || values.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        for (int i = 0; i < values.Count; i++)
        {
            JsonText.WriteValue(writer, values[i]);
        }

        writer.WriteEndArray();
    }
}
