using System.Text.Json;

namespace AntiEtcd.Api.Json;

/// <content>The KV messages: range, put, delete range, txn with its compares and ops (SPEC §4).</content>
public static partial class ApiJsonReader
{
    // Every field table lists the message's fields in etcd's order, then the top-level flags
    // (SPEC §3.5), which are known only when the message is the body itself.
    private static readonly FieldTable RangeFields = new(
        "key", "range_end", "limit", "revision", "sort_order", "sort_target", "serializable", "keys_only",
        "count_only", "min_mod_revision", "max_mod_revision", "min_create_revision", "max_create_revision",
        "leaderonly", "nowaitquorum");

    private static readonly FieldTable PutFields = new(
        "key", "value", "lease", "prev_kv", "ignore_value", "ignore_lease", "serializable", "leaderonly", "nowaitquorum");

    private static readonly FieldTable DeleteRangeFields = new(
        "key", "range_end", "prev_kv", "serializable", "leaderonly", "nowaitquorum");

    private static readonly FieldTable TxnFields = new(
        "compare", "success", "failure", "serializable", "leaderonly", "nowaitquorum");

    private static readonly FieldTable CompareFields = new(
        "result", "target", "key", "version", "create_revision", "mod_revision", "value", "lease", "range_end");

    private static readonly FieldTable RequestOpFields = new(
        "request_range", "request_put", "request_delete_range", "request_txn");

    private static readonly EnumTable SortOrderEnum = new("RangeRequest_SortOrder", true, "NONE", "ASCEND", "DESCEND");

    private static readonly EnumTable SortTargetEnum = new("RangeRequest_SortTarget", true, "KEY", "VERSION", "CREATE", "MOD", "VALUE");

    private static readonly EnumTable CompareResultEnum = new("Compare_CompareResult", false, "EQUAL", "GREATER", "LESS", "NOT_EQUAL");

    private static readonly EnumTable CompareTargetEnum = new("Compare_CompareTarget", false, "VERSION", "CREATE", "MOD", "VALUE", "LEASE");

    private static RangeRequest DecodeRange(ref Utf8JsonReader reader, ref DecodePath path, ref RequestFlags flags, bool topLevel)
    {
        Span<int> last = stackalloc int[RangeFields.Count];
        FindLastOccurrences(reader, RangeFields, last);
        var request = new RangeRequest();
        int ordinal = 0;
        while (NextField(ref reader, RangeFields, last, ref ordinal, out int id))
        {
            string name = RangeFields.Names[id];
            switch (id)
            {
                case 0: request.Key = ReadBytes(ref reader, ref path, name); break;
                case 1: request.RangeEnd = ReadBytes(ref reader, ref path, name); break;
                case 2: request.Limit = ReadInt64(ref reader, ref path, name); break;
                case 3: request.Revision = ReadInt64(ref reader, ref path, name); break;
                case 4: request.SortOrder = (SortOrder)ReadEnum(ref reader, ref path, name, -1, SortOrderEnum); break;
                case 5: request.SortTarget = (SortTarget)ReadEnum(ref reader, ref path, name, -1, SortTargetEnum); break;
                case 6:
                    request.Serializable = ReadBool(ref reader, ref path, name);
                    if (request.Serializable && topLevel)
                    {
                        flags |= RequestFlags.Serializable;
                    }

                    break;
                case 7: request.KeysOnly = ReadBool(ref reader, ref path, name); break;
                case 8: request.CountOnly = ReadBool(ref reader, ref path, name); break;
                case 9: request.MinModRevision = ReadInt64(ref reader, ref path, name); break;
                case 10: request.MaxModRevision = ReadInt64(ref reader, ref path, name); break;
                case 11: request.MinCreateRevision = ReadInt64(ref reader, ref path, name); break;
                case 12: request.MaxCreateRevision = ReadInt64(ref reader, ref path, name); break;
                default: ReadTrailingFlag(ref reader, ref path, name, ref flags, topLevel); break;
            }
        }

        return request;
    }

    private static PutRequest DecodePut(ref Utf8JsonReader reader, ref DecodePath path, ref RequestFlags flags, bool topLevel)
    {
        Span<int> last = stackalloc int[PutFields.Count];
        FindLastOccurrences(reader, PutFields, last);
        var request = new PutRequest();
        int ordinal = 0;
        while (NextField(ref reader, PutFields, last, ref ordinal, out int id))
        {
            string name = PutFields.Names[id];
            switch (id)
            {
                case 0: request.Key = ReadBytes(ref reader, ref path, name); break;
                case 1: request.Value = ReadBytes(ref reader, ref path, name); break;
                case 2: request.Lease = ReadInt64(ref reader, ref path, name); break;
                case 3: request.PrevKv = ReadBool(ref reader, ref path, name); break;
                case 4: request.IgnoreValue = ReadBool(ref reader, ref path, name); break;
                case 5: request.IgnoreLease = ReadBool(ref reader, ref path, name); break;
                default: ReadTrailingFlag(ref reader, ref path, name, ref flags, topLevel); break;
            }
        }

        return request;
    }

    private static DeleteRangeRequest DecodeDeleteRange(ref Utf8JsonReader reader, ref DecodePath path, ref RequestFlags flags, bool topLevel)
    {
        Span<int> last = stackalloc int[DeleteRangeFields.Count];
        FindLastOccurrences(reader, DeleteRangeFields, last);
        var request = new DeleteRangeRequest();
        int ordinal = 0;
        while (NextField(ref reader, DeleteRangeFields, last, ref ordinal, out int id))
        {
            string name = DeleteRangeFields.Names[id];
            switch (id)
            {
                case 0: request.Key = ReadBytes(ref reader, ref path, name); break;
                case 1: request.RangeEnd = ReadBytes(ref reader, ref path, name); break;
                case 2: request.PrevKv = ReadBool(ref reader, ref path, name); break;
                default: ReadTrailingFlag(ref reader, ref path, name, ref flags, topLevel); break;
            }
        }

        return request;
    }

    private static TxnRequest DecodeTxn(ref Utf8JsonReader reader, ref DecodePath path, ref RequestFlags flags, bool topLevel)
    {
        Span<int> last = stackalloc int[TxnFields.Count];
        FindLastOccurrences(reader, TxnFields, last);
        var request = new TxnRequest();
        int ordinal = 0;
        while (NextField(ref reader, TxnFields, last, ref ordinal, out int id))
        {
            string name = TxnFields.Names[id];
            switch (id)
            {
                case 0: request.Compare = ReadCompares(ref reader, ref path, name) ?? (IReadOnlyList<Compare>)[]; break;
                case 1: request.Success = ReadRequestOps(ref reader, ref path, name) ?? (IReadOnlyList<RequestOp>)[]; break;
                case 2: request.Failure = ReadRequestOps(ref reader, ref path, name) ?? (IReadOnlyList<RequestOp>)[]; break;
                case 3:
                    // antietcd's extension: a txn field, and a flag when the txn is the body.
                    request.Serializable = ReadBool(ref reader, ref path, name);
                    if (request.Serializable && topLevel)
                    {
                        flags |= RequestFlags.Serializable;
                    }

                    break;
                default: ReadTrailingFlag(ref reader, ref path, name, ref flags, topLevel); break;
            }
        }

        return request;
    }

    private static List<Compare>? ReadCompares(ref Utf8JsonReader reader, ref DecodePath path, string field)
    {
        ExpectArray(ref reader, ref path, field);
        List<Compare>? list = null;
        int index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list ??= [];
            if (reader.TokenType == JsonTokenType.Null)
            {
                // null is a missing value: a default element, as an empty object.
                list.Add(new Compare());
            }
            else
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw path.Invalid(field, index, ExpectedObject);
                }

                path.Push(field, index);
                list.Add(DecodeCompare(ref reader, ref path));
                path.Pop();
            }

            index++;
        }

        return list;
    }

    private static Compare DecodeCompare(ref Utf8JsonReader reader, ref DecodePath path)
    {
        Span<int> last = stackalloc int[CompareFields.Count];
        FindLastOccurrences(reader, CompareFields, last);
        var compare = new Compare();
        int ordinal = 0;
        while (NextField(ref reader, CompareFields, last, ref ordinal, out int id))
        {
            string name = CompareFields.Names[id];
            switch (id)
            {
                case 0: compare.Result = (CompareResult)ReadEnum(ref reader, ref path, name, -1, CompareResultEnum); break;
                case 1: compare.Target = (CompareTarget)ReadEnum(ref reader, ref path, name, -1, CompareTargetEnum); break;
                case 2: compare.Key = ReadBytes(ref reader, ref path, name); break;
                case 3: compare.Version = ReadInt64(ref reader, ref path, name); break;
                case 4: compare.CreateRevision = ReadInt64(ref reader, ref path, name); break;
                case 5: compare.ModRevision = ReadInt64(ref reader, ref path, name); break;
                case 6: compare.Value = ReadBytes(ref reader, ref path, name); break;
                case 7: compare.Lease = ReadInt64(ref reader, ref path, name); break;
                default: compare.RangeEnd = ReadBytes(ref reader, ref path, name); break;
            }
        }

        return compare;
    }

    private static List<RequestOp>? ReadRequestOps(ref Utf8JsonReader reader, ref DecodePath path, string field)
    {
        ExpectArray(ref reader, ref path, field);
        List<RequestOp>? list = null;
        int index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list ??= [];
            if (reader.TokenType == JsonTokenType.Null)
            {
                // null is a missing value: the empty op, which the validator refuses (SPEC §4.4).
                list.Add(new RequestOp());
            }
            else
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw path.Invalid(field, index, ExpectedObject);
                }

                path.Push(field, index);
                list.Add(DecodeRequestOp(ref reader, ref path));
                path.Pop();
            }

            index++;
        }

        return list;
    }

    private static RequestOp DecodeRequestOp(ref Utf8JsonReader reader, ref DecodePath path)
    {
        Span<int> last = stackalloc int[RequestOpFields.Count];
        FindLastOccurrences(reader, RequestOpFields, last);
        var op = new RequestOp();
        var nestedFlags = RequestFlags.None;
        bool hasOperation = false;
        int ordinal = 0;
        while (NextField(ref reader, RequestOpFields, last, ref ordinal, out int id))
        {
            // etcd's RequestOp is a oneof: the second operation is refused where it appears.
            if (hasOperation)
            {
                throw path.InvalidHere(MoreThanOneOperation);
            }

            hasOperation = true;
            string name = RequestOpFields.Names[id];
            ExpectObject(ref reader, ref path, name);
            path.Push(name);
            switch (id)
            {
                case 0: op.RequestRange = DecodeRange(ref reader, ref path, ref nestedFlags, topLevel: false); break;
                case 1: op.RequestPut = DecodePut(ref reader, ref path, ref nestedFlags, topLevel: false); break;
                case 2: op.RequestDeleteRange = DecodeDeleteRange(ref reader, ref path, ref nestedFlags, topLevel: false); break;
                default: op.RequestTxn = DecodeTxn(ref reader, ref path, ref nestedFlags, topLevel: false); break;
            }

            path.Pop();
        }

        return op;
    }

    /// <summary>
    /// A flag field that ends a field table (SPEC §3.5). Inside a txn the flags are unknown
    /// fields, skipped without validation.
    /// </summary>
    private static void ReadTrailingFlag(ref Utf8JsonReader reader, ref DecodePath path, string field, ref RequestFlags flags, bool topLevel)
    {
        if (!topLevel)
        {
            reader.Skip();
            return;
        }

        RequestFlags flag = field switch
        {
            "serializable" => RequestFlags.Serializable,
            "leaderonly" => RequestFlags.LeaderOnly,
            _ => RequestFlags.NoWaitQuorum,
        };
        ReadFlag(ref reader, ref path, field, flag, ref flags);
    }
}
