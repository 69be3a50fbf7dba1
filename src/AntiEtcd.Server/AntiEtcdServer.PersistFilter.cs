using System.Runtime.CompilerServices;
using AntiEtcd.Api;
using AntiEtcd.Mvcc;
using AntiEtcd.Server.Hosting;
using AntiEtcd.Server.Node;

namespace AntiEtcd.Server;

/// <summary>
/// The persist filter and volatile data (SPEC §9.4) on a single node: filtered log records and
/// snapshots, the data directory's <c>filtered</c> flag, and the volatile reset at start-up.
/// </summary>
/// <remarks>
/// A node whose data directory records a filtered write starts incomplete: what it recovers is
/// the persisted form, with volatile keys missing. Before it serves anything it logs a volatile
/// reset, which carries that state (volatile keys left out) at revision R+2 and compacts
/// everything before it, so the loss is always visible to clients as a compaction.
/// </remarks>
public sealed partial class AntiEtcdServer
{
    /// <summary>The data directory flag that records a Volatile or Replace result (SPEC §9.4).</summary>
    private const string FilteredFlag = "filtered";

    private readonly Lock _filteredFlagLock = new();
    private PersistFilter? _persistFilter;
    private string _persistFilterName = "";
    private volatile bool _filteredFlagSet;

    /// <summary>Resolves the filter (delegate, or <c>--persist_filter</c> factory); without <c>--data</c> it is ignored with a warning.</summary>
    private void InitPersistFilter()
    {
        var filter = _options.PersistFilter
            ?? (_options.PersistFilterType is { } type
                ? FilterLoader.Create<IPersistFilterFactory>("persist_filter", type, _options.RawOptions).Create(_options.RawOptions)
                : null);
        if (filter is not null && _options.Data is null)
        {
            Log.PersistFilterIgnored(_logger);
            filter = null;
        }

        _persistFilter = filter;
        if (filter is not null)
        {
            // SPEC §10.3: the name every node of a cluster must agree on.
            _persistFilterName = _options.PersistFilter is null
                ? _options.PersistFilterType![(_options.PersistFilterType!.LastIndexOf(':') + 1)..]
                : $"{filter.Method.DeclaringType?.FullName}.{filter.Method.Name}";
        }
    }

    /// <summary>
    /// The command to log: its persisted form when a filter is set. The first filtered record
    /// sets the directory's flag durably before it is written, so a crash can never leave a
    /// filtered record in a directory that does not say so.
    /// </summary>
    /// <exception cref="AntiEtcdRequestException">The flag could not be written: the node fails.</exception>
    /// <param name="command">The command as proposed; returned itself when nothing is filtered.</param>
    /// <param name="filterReset">Filter a volatile reset's keys too (<see cref="PersistedForm.Of"/>).</param>
    private Command ToPersistedForm(Command command, bool filterReset = false)
    {
        if (_persistFilter is not { } filter)
        {
            return command;
        }

        var (persisted, filtered) = PersistedForm.Of(command, filter, OnPersistFilterFailure, filterReset);
        if (filtered)
        {
            SetFilteredFlag();
        }

        return persisted;
    }

    private void OnPersistFilterFailure(Exception exception) => Log.PersistFilterFailed(_logger, exception);

    private void SetFilteredFlag()
    {
        if (_filteredFlagSet)
        {
            return;
        }

        lock (_filteredFlagLock)
        {
            if (_filteredFlagSet)
            {
                return;
            }

            try
            {
                _dataDirectory!.SetFlag(FilteredFlag);
            }
            catch (IOException ex)
            {
                OnStorageFailure(ex);
                throw EtcdErrors.Stopping();
            }

            _filteredFlagSet = true;
        }
    }

    /// <summary>The value filter for snapshot images, or null when no filter is set.</summary>
    /// <param name="filtered">Set when the filter replaced or dropped a value.</param>
    private SnapshotValueFilter? SnapshotFilter(StrongBox<bool> filtered)
    {
        if (_persistFilter is not { } filter)
        {
            return null;
        }

        return (key, value) =>
        {
            var decision = PersistedForm.Decide(filter, key, value.Span, OnPersistFilterFailure);
            switch (decision.Kind)
            {
                case PersistDecisionKind.Replace:
                    filtered.Value = true;
                    return decision.StoredValue;
                case PersistDecisionKind.Volatile:
                    filtered.Value = true;
                    return null;
                default:
                    return value;
            }
        };
    }

    /// <summary>
    /// At recovery, of a single node or a cluster node: a directory that records filtered writes makes the node start
    /// incomplete, tracking the volatile keys from here on. Returns the tracker, or null.
    /// </summary>
    private VolatileKeyTracker? BeginVolatileRecovery()
    {
        _filteredFlagSet = _dataDirectory!.HasFlag(FilteredFlag);
        if (_filteredFlagSet)
        {
            _incomplete = true;
            _volatileKeys = new VolatileKeyTracker();
        }

        return _volatileKeys;
    }

    /// <summary>
    /// SPEC §9.4 volatile reset, on a single node that recovered filtered data: logged and
    /// applied before the listener opens, so no client ever sees the incomplete state.
    /// </summary>
    private async Task VolatileResetIfIncompleteAsync(CancellationToken cancellationToken)
    {
        if (IsClusterMode || _volatileKeys is not { } volatileKeys)
        {
            // A cluster node stays incomplete until a complete leader's snapshot or a reset (AntiEtcdServer.Completeness).
            return;
        }

        var command = await Loop.ExecuteAsync(
            static (store, tracker) => BuildVolatileReset(store, tracker),
            volatileKeys,
            isWrite: false,
            cancellationToken).ConfigureAwait(false);
        var (status, response, _) = await ProposeCoreAsync(command, cancellationToken).ConfigureAwait(false);
        if (status != MvccStatus.Ok || response is not VolatileResetOutcome outcome)
        {
            throw new InvalidOperationException($"the volatile reset was refused ({status})");
        }

        Log.VolatileReset(_logger, outcome.Revision, outcome.Keys, volatileKeys.Count);
        _volatileKeys = null;
        _incomplete = false;
    }

    /// <summary>The reset entry: every live key but the volatile ones, every lease, at revision R+2 (R+1 is never used).</summary>
    private static Command BuildVolatileReset(MvccStore store, VolatileKeyTracker volatileKeys)
    {
        var all = store.Range(new RangeRequest { Key = new byte[] { 0 }, RangeEnd = new byte[] { 0 } });
        var keys = new List<KeyValue>(all.Response!.Kvs.Count);
        foreach (var kv in all.Response.Kvs)
        {
            if (!volatileKeys.Contains(kv.Key))
            {
                keys.Add(kv);
            }
        }

        var leases = new List<(long Id, long Ttl)>();
        foreach (var id in store.GetLeaseIds())
        {
            if (store.TryGetLease(id, out var ttl))
            {
                leases.Add((id, ttl));
            }
        }

        return new Command { Type = CommandType.VolatileReset, Revision = store.Revision + 2, Keys = keys, Leases = leases };
    }
}
