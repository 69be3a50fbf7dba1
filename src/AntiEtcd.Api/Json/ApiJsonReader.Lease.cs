using System.Text.Json;

namespace AntiEtcd.Api.Json;

/// <content>Compaction, the lease messages and flag-only bodies (SPEC §4.5, §5, §6.1).</content>
public static partial class ApiJsonReader
{
    private static readonly FieldTable CompactionFields = new("revision", "physical", "serializable", "leaderonly", "nowaitquorum");

    private static readonly FieldTable LeaseGrantFields = new("TTL", "ID", "serializable", "leaderonly", "nowaitquorum");

    private static readonly FieldTable LeaseIdFields = new("ID", "serializable", "leaderonly", "nowaitquorum");

    private static readonly FieldTable LeaseTimeToLiveFields = new("ID", "keys", "serializable", "leaderonly", "nowaitquorum");

    private static readonly FieldTable FlagFields = new("serializable", "leaderonly", "nowaitquorum");

    private static CompactionRequest DecodeCompaction(ref Utf8JsonReader reader, ref DecodePath path, ref RequestFlags flags)
    {
        Span<int> last = stackalloc int[CompactionFields.Count];
        FindLastOccurrences(reader, CompactionFields, last);
        var request = new CompactionRequest();
        int ordinal = 0;
        while (NextField(ref reader, CompactionFields, last, ref ordinal, out int id))
        {
            string name = CompactionFields.Names[id];
            switch (id)
            {
                case 0: request.Revision = ReadInt64(ref reader, ref path, name); break;
                case 1: request.Physical = ReadBool(ref reader, ref path, name); break;
                default: ReadTrailingFlag(ref reader, ref path, name, ref flags, topLevel: true); break;
            }
        }

        return request;
    }

    private static LeaseGrantRequest DecodeLeaseGrant(ref Utf8JsonReader reader, ref DecodePath path, ref RequestFlags flags)
    {
        Span<int> last = stackalloc int[LeaseGrantFields.Count];
        FindLastOccurrences(reader, LeaseGrantFields, last);
        var request = new LeaseGrantRequest();
        int ordinal = 0;
        while (NextField(ref reader, LeaseGrantFields, last, ref ordinal, out int id))
        {
            string name = LeaseGrantFields.Names[id];
            switch (id)
            {
                case 0: request.Ttl = ReadInt64(ref reader, ref path, name); break;
                case 1: request.Id = ReadInt64(ref reader, ref path, name); break;
                default: ReadTrailingFlag(ref reader, ref path, name, ref flags, topLevel: true); break;
            }
        }

        return request;
    }

    /// <summary>The <c>{"ID":…}</c> of revoke and keepalive.</summary>
    private static long DecodeLeaseId(ref Utf8JsonReader reader, ref DecodePath path, ref RequestFlags flags)
    {
        Span<int> last = stackalloc int[LeaseIdFields.Count];
        FindLastOccurrences(reader, LeaseIdFields, last);
        long leaseId = 0;
        int ordinal = 0;
        while (NextField(ref reader, LeaseIdFields, last, ref ordinal, out int id))
        {
            string name = LeaseIdFields.Names[id];
            if (id == 0)
            {
                leaseId = ReadInt64(ref reader, ref path, name);
            }
            else
            {
                ReadTrailingFlag(ref reader, ref path, name, ref flags, topLevel: true);
            }
        }

        return leaseId;
    }

    private static LeaseTimeToLiveRequest DecodeLeaseTimeToLive(ref Utf8JsonReader reader, ref DecodePath path, ref RequestFlags flags)
    {
        Span<int> last = stackalloc int[LeaseTimeToLiveFields.Count];
        FindLastOccurrences(reader, LeaseTimeToLiveFields, last);
        var request = new LeaseTimeToLiveRequest();
        int ordinal = 0;
        while (NextField(ref reader, LeaseTimeToLiveFields, last, ref ordinal, out int id))
        {
            string name = LeaseTimeToLiveFields.Names[id];
            switch (id)
            {
                case 0: request.Id = ReadInt64(ref reader, ref path, name); break;
                case 1: request.Keys = ReadBool(ref reader, ref path, name); break;
                default: ReadTrailingFlag(ref reader, ref path, name, ref flags, topLevel: true); break;
            }
        }

        return request;
    }

    private static void DecodeFlagsOnly(ref Utf8JsonReader reader, ref DecodePath path, ref RequestFlags flags)
    {
        Span<int> last = stackalloc int[FlagFields.Count];
        FindLastOccurrences(reader, FlagFields, last);
        int ordinal = 0;
        while (NextField(ref reader, FlagFields, last, ref ordinal, out int id))
        {
            ReadTrailingFlag(ref reader, ref path, FlagFields.Names[id], ref flags, topLevel: true);
        }
    }
}
