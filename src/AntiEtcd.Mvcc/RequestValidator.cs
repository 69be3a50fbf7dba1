using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>
/// The checks of SPEC §3.2 step 8: those that depend on the request alone, so any node can make
/// them before the request is proposed or forwarded. Checks that depend on the store (lease
/// exists, key exists for <c>ignore_*</c>, compacted or future revision, lease ID in use) are made
/// by <see cref="MvccStore"/> when the request executes.
/// </summary>
/// <remarks>
/// Pure and stateless: safe to call from any thread. A <see cref="RequestOp"/> with more than one
/// operation set (a decoding error on the wire, SPEC §3.3) is read as its first set property in
/// the order range, put, delete range, txn, here and in <see cref="MvccStore"/> alike.
/// </remarks>
public static class RequestValidator
{
    /// <summary>The largest TTL a grant may ask for, in seconds (etcd's <c>MaxLeaseTTL</c>).</summary>
    public const long MaxLeaseTtl = 9_000_000_000;

    /// <summary>The default op budget of a top-level txn (<c>max_txn_ops</c>, SPEC §4.4).</summary>
    public const int DefaultMaxTxnOps = 128;

    /// <summary>Checks a range request: a non-empty key, then sort options inside their enums (SPEC §4.1).</summary>
    public static MvccStatus ValidateRange(RangeRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.Key.IsEmpty)
        {
            return MvccStatus.KeyNotProvided;
        }

        if ((uint)r.SortOrder > (uint)SortOrder.Descend || (uint)r.SortTarget > (uint)SortTarget.Value)
        {
            return MvccStatus.InvalidSortOption;
        }

        return MvccStatus.Ok;
    }

    /// <summary>Checks a put: checks 1-3 of SPEC §4.2 in that order.</summary>
    public static MvccStatus ValidatePut(PutRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.Key.IsEmpty)
        {
            return MvccStatus.KeyNotProvided;
        }

        if (r.IgnoreValue && !r.Value.IsEmpty)
        {
            return MvccStatus.ValueProvided;
        }

        if (r.IgnoreLease && r.Lease != 0)
        {
            return MvccStatus.LeaseProvided;
        }

        return MvccStatus.Ok;
    }

    /// <summary>Checks a delete range: a non-empty key (SPEC §4.3).</summary>
    public static MvccStatus ValidateDeleteRange(DeleteRangeRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return r.Key.IsEmpty ? MvccStatus.KeyNotProvided : MvccStatus.Ok;
    }

    /// <summary>
    /// Checks a txn: the structure of SPEC §4.4 step 2 at every level (op budgets, compare keys,
    /// empty ops, the op checks), then the duplicate-key rules of step 3.
    /// </summary>
    /// <param name="r">The txn.</param>
    /// <param name="maxTxnOps">The top-level budget (<c>max_txn_ops</c>, default 128).</param>
    public static MvccStatus ValidateTxn(TxnRequest r, int maxTxnOps)
    {
        ArgumentNullException.ThrowIfNull(r);
        var status = ValidateTxnStructure(r, maxTxnOps);
        if (status != MvccStatus.Ok)
        {
            return status;
        }

        status = CheckDuplicates(r.Success, out _);
        return status != MvccStatus.Ok ? status : CheckDuplicates(r.Failure, out _);
    }

    /// <summary>Checks a lease grant: a negative ID, then a TTL above <see cref="MaxLeaseTtl"/> (SPEC §5.1).</summary>
    public static MvccStatus ValidateLeaseGrant(LeaseGrantRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.Id < 0)
        {
            return MvccStatus.LeaseIdNegative;
        }

        return r.Ttl > MaxLeaseTtl ? MvccStatus.LeaseTtlTooLarge : MvccStatus.Ok;
    }

    /// <summary>
    /// True when the txn has no put and no delete at any level, in either branch; compares do not
    /// matter (SPEC §14.1 item 7). Such a txn is served as a read.
    /// </summary>
    public static bool IsReadOnly(TxnRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return IsReadOnly(r.Success) && IsReadOnly(r.Failure);
    }

    private static bool IsReadOnly(IReadOnlyList<RequestOp> ops)
    {
        for (var i = 0; i < ops.Count; i++)
        {
            switch (Classify(ops[i]))
            {
                case OpKind.Put:
                case OpKind.DeleteRange:
                    return false;
                case OpKind.Txn when !IsReadOnly(ops[i].RequestTxn!):
                    return false;
            }
        }

        return true;
    }

    internal enum OpKind
    {
        Empty,
        Range,
        Put,
        DeleteRange,
        Txn,
    }

    internal static OpKind Classify(RequestOp op) =>
        op.RequestRange is not null ? OpKind.Range
        : op.RequestPut is not null ? OpKind.Put
        : op.RequestDeleteRange is not null ? OpKind.DeleteRange
        : op.RequestTxn is not null ? OpKind.Txn
        : OpKind.Empty;

    private static MvccStatus ValidateTxnStructure(TxnRequest txn, long budget)
    {
        long widest = Math.Max(txn.Compare.Count, Math.Max(txn.Success.Count, txn.Failure.Count));
        if (widest > budget)
        {
            return MvccStatus.TooManyOperations;
        }

        for (var i = 0; i < txn.Compare.Count; i++)
        {
            if (txn.Compare[i].Key.IsEmpty)
            {
                return MvccStatus.KeyNotProvided;
            }
        }

        // A nested txn shares its parent's budget (etcd's checkTxnRequest).
        var nestedBudget = budget - widest;
        var status = ValidateOps(txn.Success, nestedBudget);
        return status != MvccStatus.Ok ? status : ValidateOps(txn.Failure, nestedBudget);
    }

    private static MvccStatus ValidateOps(IReadOnlyList<RequestOp> ops, long nestedBudget)
    {
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var status = Classify(op) switch
            {
                OpKind.Range => ValidateRange(op.RequestRange!),
                OpKind.Put => ValidatePut(op.RequestPut!),
                OpKind.DeleteRange => ValidateDeleteRange(op.RequestDeleteRange!),
                OpKind.Txn => ValidateTxnStructure(op.RequestTxn!, nestedBudget),
                _ => MvccStatus.KeyNotFound,
            };
            if (status != MvccStatus.Ok)
            {
                return status;
            }
        }

        return MvccStatus.Ok;
    }

    /// <summary>
    /// SPEC §4.4 step 3 for one branch, nested txns flattened into it: two writes of the branch
    /// conflict (two puts of one key, or a put inside a delete's range) unless they sit in the
    /// success and failure branches of one nested txn, because only one of those runs.
    /// Returns the branch's writes, each tagged with the index of the op it came from.
    /// </summary>
    private static MvccStatus CheckDuplicates(IReadOnlyList<RequestOp> ops, out List<WriteItem> writes)
    {
        writes = [];
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            switch (Classify(op))
            {
                case OpKind.Put:
                    writes.Add(new WriteItem(i, op.RequestPut!.Key, default, IsPut: true));
                    break;
                case OpKind.DeleteRange:
                    var delete = op.RequestDeleteRange!;
                    writes.Add(new WriteItem(i, delete.Key, delete.RangeEnd, IsPut: false));
                    break;
                case OpKind.Txn:
                    var nested = op.RequestTxn!;
                    var status = CheckDuplicates(nested.Success, out var then);
                    if (status == MvccStatus.Ok)
                    {
                        status = CheckDuplicates(nested.Failure, out var otherwise);
                        then.AddRange(otherwise);
                    }

                    if (status != MvccStatus.Ok)
                    {
                        return status;
                    }

                    foreach (var item in then)
                    {
                        writes.Add(item with { Group = i });
                    }

                    break;
            }
        }

        return CrossGroupConflict(writes) ? MvccStatus.DuplicateKey : MvccStatus.Ok;
    }

    private static bool CrossGroupConflict(List<WriteItem> writes)
    {
        if (writes.Count < 2)
        {
            return false;
        }

        var puts = new List<WriteItem>(writes.Count);
        foreach (var w in writes)
        {
            if (w.IsPut)
            {
                puts.Add(w);
            }
        }

        puts.Sort(static (a, b) =>
        {
            var c = a.Key.Span.SequenceCompareTo(b.Key.Span);
            return c != 0 ? c : a.Group.CompareTo(b.Group);
        });
        for (var i = 1; i < puts.Count; i++)
        {
            if (puts[i].Group != puts[i - 1].Group && puts[i].Key.Span.SequenceEqual(puts[i - 1].Key.Span))
            {
                return true;
            }
        }

        foreach (var w in writes)
        {
            if (w.IsPut)
            {
                continue;
            }

            var range = KeyRange.Create(w.Key, w.RangeEnd);
            if (range.IsEmpty)
            {
                continue;
            }

            // Puts sorted by key: find the first ≥ the range start, walk while inside.
            int lo = 0, hi = puts.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (puts[mid].Key.Span.SequenceCompareTo(range.Start.Span) < 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            for (var i = lo; i < puts.Count && !range.IsPastEnd(puts[i].Key.Span); i++)
            {
                if (puts[i].Group != w.Group)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>One write of a branch; <c>Group</c> is the index of the branch op it comes from.</summary>
    private readonly record struct WriteItem(int Group, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> RangeEnd, bool IsPut);
}
