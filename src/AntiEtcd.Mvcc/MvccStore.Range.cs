using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>Range reads (SPEC §4.1).</summary>
public sealed partial class MvccStore
{
    /// <summary>
    /// Reads a range at the current revision (<c>revision</c> ≤ 0) or at an older one still in
    /// history. Refused with <see cref="MvccStatus.FutureRevision"/> or
    /// <see cref="MvccStatus.Compacted"/> (SPEC §4.1); <c>header.revision</c> is the current
    /// revision.
    /// </summary>
    /// <remarks>
    /// <c>count</c> is the number of keys in the range before the min/max filters and the limit;
    /// sorting keeps ascending key order among ties; the returned <see cref="KeyValue"/> objects
    /// are shared with the store's history, or made for this response with key and value aliasing
    /// the store's packed record (a copy without the value for <c>keys_only</c>); either way
    /// immutable.
    /// </remarks>
    public MvccResult<RangeResponse> Range(RangeRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var status = RequestValidator.ValidateRange(r);
        if (status == MvccStatus.Ok)
        {
            status = CheckReadRevision(r.Revision, _revision);
        }

        return status == MvccStatus.Ok
            ? MvccResult<RangeResponse>.Ok(ReadRange(r, _revision))
            : MvccResult<RangeResponse>.Fail(status);
    }

    private MvccStatus CheckReadRevision(long revision, long current)
    {
        if (revision > current)
        {
            return MvccStatus.FutureRevision;
        }

        return revision > 0 && revision < _compactRevision ? MvccStatus.Compacted : MvccStatus.Ok;
    }

    /// <summary>Serves a checked range; <paramref name="headerRevision"/> goes into the header.</summary>
    private RangeResponse ReadRange(RangeRequest r, long headerRevision)
    {
        var response = new RangeResponse { Header = new ResponseHeader { Revision = headerRevision } };
        var range = KeyRange.Create(r.Key, r.RangeEnd);
        if (range.IsEmpty)
        {
            return response;
        }

        // Revision ≤ 0 reads the newest state, which inside a txn includes its earlier writes.
        var atRevision = r.Revision > 0 ? r.Revision : long.MaxValue;
        var filtered = r.MinModRevision > 0 || r.MaxModRevision > 0 || r.MinCreateRevision > 0 || r.MaxCreateRevision > 0;
        var order = r.SortOrder;
        if (order == SortOrder.None)
        {
            order = SortOrder.Ascend; // NONE means ascending, for every target (SPEC §4.1).
        }

        var keyAscending = r.SortTarget == SortTarget.Key && order == SortOrder.Ascend;
        var limit = r.Limit > 0 ? r.Limit : long.MaxValue;

        long count = 0;
        long matched = 0;
        List<KeyValue>? kvs = null;
        for (var cursor = _index.Seek(range.Start.Span); cursor.IsValid && !range.IsPastEnd(cursor.Key.Span); cursor.MoveNext())
        {
            KeyValue? kv;
            if (cursor.Value is byte[] packed)
            {
                // Decoded without a KeyValue, which is made only for a kv that is returned.
                var live = new LiveRecord(packed);
                if (live.ModRevision > atRevision)
                {
                    continue;
                }

                count++;
                if (r.CountOnly || (filtered && !PassesFilters(r, live.CreateRevision, live.ModRevision)))
                {
                    continue;
                }

                matched++;
                kv = !keyAscending || matched <= limit ? (r.KeysOnly ? live.ToKeyOnly() : live.ToKeyValue()) : null;
            }
            else
            {
                kv = atRevision == long.MaxValue ? Current(cursor.Value) : At(cursor.Value, atRevision);
                if (kv is null)
                {
                    continue;
                }

                count++;
                if (r.CountOnly || (filtered && !PassesFilters(r, kv.CreateRevision, kv.ModRevision)))
                {
                    continue;
                }

                matched++;
            }

            // In key order only the first `limit` kvs can be returned: count the rest, keep none.
            if (!keyAscending || matched <= limit)
            {
                (kvs ??= []).Add(kv!);
            }
        }

        response.Count = count;
        if (r.CountOnly || kvs is null)
        {
            return response;
        }

        if (!keyAscending)
        {
            if (r.SortTarget == SortTarget.Key)
            {
                kvs.Reverse();
            }
            else
            {
                kvs.Sort(KeyValueComparer.Get(r.SortTarget, order == SortOrder.Descend));
            }

            if (kvs.Count > limit)
            {
                kvs.RemoveRange((int)limit, kvs.Count - (int)limit);
            }
        }

        response.More = matched > limit;
        if (r.KeysOnly)
        {
            for (var i = 0; i < kvs.Count; i++)
            {
                var kv = kvs[i];
                if (!kv.Value.IsEmpty)
                {
                    kvs[i] = new KeyValue
                    {
                        Key = kv.Key,
                        CreateRevision = kv.CreateRevision,
                        ModRevision = kv.ModRevision,
                        Version = kv.Version,
                        Lease = kv.Lease,
                    };
                }
            }
        }

        response.Kvs = kvs;
        return response;
    }

    private static bool PassesFilters(RangeRequest r, long createRevision, long modRevision) =>
        (r.MinModRevision <= 0 || modRevision >= r.MinModRevision)
        && (r.MaxModRevision <= 0 || modRevision <= r.MaxModRevision)
        && (r.MinCreateRevision <= 0 || createRevision >= r.MinCreateRevision)
        && (r.MaxCreateRevision <= 0 || createRevision <= r.MaxCreateRevision);

    /// <summary>Orders kvs by a sort target; ties keep ascending key order, also when descending.</summary>
    private sealed class KeyValueComparer : IComparer<KeyValue>
    {
        private static readonly KeyValueComparer[] Instances = Create();

        private readonly SortTarget _target;
        private readonly bool _descending;

        private KeyValueComparer(SortTarget target, bool descending)
        {
            _target = target;
            _descending = descending;
        }

        public static KeyValueComparer Get(SortTarget target, bool descending) => Instances[((int)target * 2) + (descending ? 1 : 0)];

        public int Compare(KeyValue? x, KeyValue? y)
        {
            var c = _target switch
            {
                SortTarget.Version => x!.Version.CompareTo(y!.Version),
                SortTarget.Create => x!.CreateRevision.CompareTo(y!.CreateRevision),
                SortTarget.Mod => x!.ModRevision.CompareTo(y!.ModRevision),
                SortTarget.Value => x!.Value.Span.SequenceCompareTo(y!.Value.Span),
                _ => 0,
            };
            if (c != 0)
            {
                return _descending ? -c : c;
            }

            return x!.Key.Span.SequenceCompareTo(y!.Key.Span);
        }

        private static KeyValueComparer[] Create()
        {
            var all = new KeyValueComparer[10];
            for (var t = 0; t < 5; t++)
            {
                all[t * 2] = new KeyValueComparer((SortTarget)t, descending: false);
                all[(t * 2) + 1] = new KeyValueComparer((SortTarget)t, descending: true);
            }

            return all;
        }
    }
}
