using AntiEtcd.Api;

namespace AntiEtcd.Server.Node;

/// <summary>
/// The persisted form of a command (SPEC §9.4): what a node with a persist filter writes to its
/// log instead of the command itself. Every put, in a txn's branches too, goes through the filter:
/// a replaced value is stored in its place, and a volatile put is stored with an empty value and
/// marked (<see cref="Command.VolatilePuts"/>), so that replay deletes the key at the revision
/// the put took. Everything else is stored as is.
/// </summary>
/// <remarks>
/// A put with <c>ignore_value</c> carries no value of its own: it is stored as is, and replay
/// gives it the persisted form of the key's previous value (<see cref="VolatileKeyTracker"/> keeps
/// the key volatile when that value was). Stateless and thread-safe; the filter must be too.
/// </remarks>
internal static class PersistedForm
{
    /// <summary>The command to log for <paramref name="command"/>, and whether the filter changed anything.</summary>
    /// <param name="command">The command as proposed; never changed.</param>
    /// <param name="filter">The persist filter.</param>
    /// <param name="onFilterFailure">Told of each exception the filter throws; that put is then stored as is.</param>
    /// <param name="filterReset">
    /// Also filter the keys a volatile reset carries: a cluster's reset holds the leader's in-memory state, which may
    /// hold volatile values. A single node's reset holds only what it recovered, already in persisted form.
    /// </param>
    /// <remarks>A filtered result is marked <see cref="Command.Filtered"/>.</remarks>
    public static (Command Persisted, bool Filtered) Of(Command command, PersistFilter filter, Action<Exception> onFilterFailure, bool filterReset = false)
    {
        HashSet<PutRequest>? volatilePuts = null;
        switch (command.Type)
        {
            case CommandType.Put:
                var put = Filter(command.Put!, filter, onFilterFailure, ref volatilePuts);
                return ReferenceEquals(put, command.Put)
                    ? (command, false)
                    : (new Command { Type = CommandType.Put, Put = put, VolatilePuts = volatilePuts, Filtered = true }, true);
            case CommandType.Txn:
                var txn = Filter(command.Txn!, filter, onFilterFailure, ref volatilePuts);
                return ReferenceEquals(txn, command.Txn)
                    ? (command, false)
                    : (new Command { Type = CommandType.Txn, Txn = txn, VolatilePuts = volatilePuts, Filtered = true }, true);
            case CommandType.VolatileReset when filterReset:
                var keys = FilterKeys(command.Keys!, filter, onFilterFailure);
                return ReferenceEquals(keys, command.Keys)
                    ? (command, false)
                    : (new Command { Type = CommandType.VolatileReset, Keys = keys, Leases = command.Leases, Revision = command.Revision, Filtered = true }, true);
            default:
                return (command, false);
        }
    }

    /// <summary>
    /// The filter's decision for one value, for log records and snapshot images alike: a filter that
    /// throws is reported to <paramref name="onFilterFailure"/> and the value is stored as is (SPEC §9.4).
    /// </summary>
    public static PersistDecision Decide(PersistFilter filter, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, Action<Exception> onFilterFailure)
    {
        try
        {
            return filter(key, value);
        }
        catch (Exception ex)
        {
            onFilterFailure(ex);
            return PersistDecision.Persist;
        }
    }

    /// <summary>The put itself when the filter keeps it, else a filtered copy.</summary>
    private static PutRequest Filter(PutRequest put, PersistFilter filter, Action<Exception> onFilterFailure, ref HashSet<PutRequest>? volatilePuts)
    {
        if (put.IgnoreValue)
        {
            return put;
        }

        var decision = Decide(filter, put.Key.Span, put.Value.Span, onFilterFailure);
        switch (decision.Kind)
        {
            case PersistDecisionKind.Replace:
                return WithValue(put, decision.StoredValue);
            case PersistDecisionKind.Volatile:
                var stored = WithValue(put, default);
                (volatilePuts ??= new HashSet<PutRequest>(ReferenceEqualityComparer.Instance)).Add(stored);
                return stored;
            default:
                return put;
        }
    }

    private static TxnRequest Filter(TxnRequest txn, PersistFilter filter, Action<Exception> onFilterFailure, ref HashSet<PutRequest>? volatilePuts)
    {
        var success = Filter(txn.Success, filter, onFilterFailure, ref volatilePuts);
        var failure = Filter(txn.Failure, filter, onFilterFailure, ref volatilePuts);
        return ReferenceEquals(success, txn.Success) && ReferenceEquals(failure, txn.Failure)
            ? txn
            : new TxnRequest { Compare = txn.Compare, Success = success, Failure = failure, Serializable = txn.Serializable };
    }

    private static IReadOnlyList<RequestOp> Filter(IReadOnlyList<RequestOp> ops, PersistFilter filter, Action<Exception> onFilterFailure, ref HashSet<PutRequest>? volatilePuts)
    {
        RequestOp[]? copy = null;
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var put = op.RequestPut is null ? null : Filter(op.RequestPut, filter, onFilterFailure, ref volatilePuts);
            var nested = op.RequestTxn is null ? null : Filter(op.RequestTxn, filter, onFilterFailure, ref volatilePuts);
            if (ReferenceEquals(put, op.RequestPut) && ReferenceEquals(nested, op.RequestTxn))
            {
                continue;
            }

            if (copy is null)
            {
                copy = new RequestOp[ops.Count];
                for (var j = 0; j < ops.Count; j++)
                {
                    copy[j] = ops[j];
                }
            }

            copy[i] = new RequestOp { RequestRange = op.RequestRange, RequestPut = put, RequestDeleteRange = op.RequestDeleteRange, RequestTxn = nested };
        }

        return copy ?? ops;
    }

    /// <summary>The reset's keys in persisted form: replaced values stored, volatile keys left out.</summary>
    private static IReadOnlyList<KeyValue> FilterKeys(IReadOnlyList<KeyValue> keys, PersistFilter filter, Action<Exception> onFilterFailure)
    {
        List<KeyValue>? copy = null;
        for (var i = 0; i < keys.Count; i++)
        {
            var kv = keys[i];
            var decision = Decide(filter, kv.Key.Span, kv.Value.Span, onFilterFailure);
            if (decision.Kind == PersistDecisionKind.Persist)
            {
                copy?.Add(kv);
                continue;
            }

            copy ??= [.. keys.Take(i)];
            if (decision.Kind == PersistDecisionKind.Replace)
            {
                copy.Add(new KeyValue
                {
                    Key = kv.Key,
                    Value = decision.StoredValue,
                    CreateRevision = kv.CreateRevision,
                    ModRevision = kv.ModRevision,
                    Version = kv.Version,
                    Lease = kv.Lease,
                });
            }
        }

        return copy ?? keys;
    }

    private static PutRequest WithValue(PutRequest put, ReadOnlyMemory<byte> value) => new()
    {
        Key = put.Key,
        Value = value,
        Lease = put.Lease,
        PrevKv = put.PrevKv,
        IgnoreValue = put.IgnoreValue,
        IgnoreLease = put.IgnoreLease,
    };
}
