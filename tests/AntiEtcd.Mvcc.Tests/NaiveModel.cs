using System.Text;
using AntiEtcd.Api;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>
/// A deliberately simple reference implementation of SPEC §2 and §4-§5 for the randomized test:
/// a dictionary of live keys plus a full copy of it for every revision. Keys are Latin-1 strings,
/// whose ordinal order is the unsigned byte order. Stateless checks reuse
/// <see cref="RequestValidator"/>; everything that depends on state is written again here.
/// </summary>
internal sealed class NaiveModel
{
    private Dictionary<string, KeyValue> _live = [];
    private readonly Dictionary<long, Dictionary<string, KeyValue>> _snapshots = new() { [1] = [] };
    private readonly Dictionary<long, long> _leases = [];
    private readonly List<Event> _events = [];

    public long Revision { get; private set; } = 1;

    public long CompactRevision { get; private set; }

    public int KeyCount => _live.Count;

    public int LeaseCount => _leases.Count;

    public List<Event> LastEvents { get; private set; } = [];

    public static string K(ReadOnlyMemory<byte> key) => Encoding.Latin1.GetString(key.Span);

    private static bool InRange(string key, ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end)
    {
        var k = K(start);
        if (end.IsEmpty)
        {
            return key == k;
        }

        if (end.Length == 1 && end.Span[0] == 0)
        {
            return string.CompareOrdinal(key, k) >= 0;
        }

        return string.CompareOrdinal(key, k) >= 0 && string.CompareOrdinal(key, K(end)) < 0;
    }

    private static List<KeyValue> InRange(Dictionary<string, KeyValue> state, ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end) =>
        state.Where(p => InRange(p.Key, start, end)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToList();

    public MvccStatus Range(RangeRequest r, out RangeResponse? response)
    {
        response = null;
        var status = RequestValidator.ValidateRange(r);
        if (status != MvccStatus.Ok)
        {
            return status;
        }

        status = CheckRevision(r.Revision);
        if (status != MvccStatus.Ok)
        {
            return status;
        }

        response = Read(_live, r, Revision);
        return MvccStatus.Ok;
    }

    private MvccStatus CheckRevision(long revision) =>
        revision > Revision ? MvccStatus.FutureRevision
        : revision > 0 && revision < CompactRevision ? MvccStatus.Compacted
        : MvccStatus.Ok;

    private RangeResponse Read(Dictionary<string, KeyValue> current, RangeRequest r, long header)
    {
        var state = r.Revision > 0 ? _snapshots[r.Revision] : current;
        var all = InRange(state, r.Key, r.RangeEnd);
        var response = new RangeResponse { Header = new ResponseHeader { Revision = header }, Count = all.Count };
        if (r.CountOnly)
        {
            return response;
        }

        var kvs = all.Where(kv =>
            (r.MinModRevision <= 0 || kv.ModRevision >= r.MinModRevision)
            && (r.MaxModRevision <= 0 || kv.ModRevision <= r.MaxModRevision)
            && (r.MinCreateRevision <= 0 || kv.CreateRevision >= r.MinCreateRevision)
            && (r.MaxCreateRevision <= 0 || kv.CreateRevision <= r.MaxCreateRevision)).ToList();
        var descending = r.SortOrder == SortOrder.Descend;
        Comparison<KeyValue> byTarget = r.SortTarget switch
        {
            SortTarget.Version => (a, b) => a.Version.CompareTo(b.Version),
            SortTarget.Create => (a, b) => a.CreateRevision.CompareTo(b.CreateRevision),
            SortTarget.Mod => (a, b) => a.ModRevision.CompareTo(b.ModRevision),
            SortTarget.Value => (a, b) => a.Value.Span.SequenceCompareTo(b.Value.Span),
            _ => (a, b) => string.CompareOrdinal(K(a.Key), K(b.Key)),
        };
        kvs = [.. kvs.OrderBy(kv => kv, Comparer<KeyValue>.Create((a, b) =>
        {
            var c = byTarget(a, b);
            return c != 0 ? (descending ? -c : c) : string.CompareOrdinal(K(a.Key), K(b.Key));
        }))];
        if (r.Limit > 0 && kvs.Count > r.Limit)
        {
            response.More = true;
            kvs = kvs.Take((int)r.Limit).ToList();
        }

        if (r.KeysOnly)
        {
            kvs = kvs.Select(kv => new KeyValue { Key = kv.Key, CreateRevision = kv.CreateRevision, ModRevision = kv.ModRevision, Version = kv.Version, Lease = kv.Lease }).ToList();
        }

        response.Kvs = kvs;
        return response;
    }

    public MvccStatus Put(PutRequest r, out PutResponse? response)
    {
        var txn = new TxnRequest { Success = [new RequestOp { RequestPut = r }] };
        var status = Txn(txn, out var t);
        response = t?.Responses[0].ResponsePut;
        return status;
    }

    public MvccStatus DeleteRange(DeleteRangeRequest r, out DeleteRangeResponse? response)
    {
        var status = Txn(new TxnRequest { Success = [new RequestOp { RequestDeleteRange = r }] }, out var t);
        response = t?.Responses[0].ResponseDeleteRange;
        if (response is not null)
        {
            response.Header.Revision = t!.Header.Revision;
        }

        return status;
    }

    public MvccStatus Txn(TxnRequest r, out TxnResponse? response)
    {
        response = null;
        LastEvents = [];
        var status = RequestValidator.ValidateTxn(r, int.MaxValue);
        if (status != MvccStatus.Ok)
        {
            return status;
        }

        // Branches chosen on the state before the txn; checks on the chosen path, puts first.
        var path = new List<bool>();
        Choose(r, path);
        var i = 0;
        status = CheckPath(r, path, ref i, puts: true);
        if (status == MvccStatus.Ok)
        {
            i = 0;
            status = CheckPath(r, path, ref i, puts: false);
        }

        if (status != MvccStatus.Ok)
        {
            return status;
        }

        var work = new Dictionary<string, KeyValue>(_live);
        var events = new List<Event>();
        i = 0;
        response = Execute(r, path, ref i, work, events);
        if (events.Count > 0)
        {
            Revision++;
            _live = work;
            _snapshots[Revision] = new Dictionary<string, KeyValue>(work);
            _events.AddRange(events);
            LastEvents = events;
        }

        response.Header.Revision = Revision;
        return MvccStatus.Ok;
    }

    private void Choose(TxnRequest txn, List<bool> path)
    {
        var ok = txn.Compare.All(Holds);
        path.Add(ok);
        foreach (var op in ok ? txn.Success : txn.Failure)
        {
            if (op.RequestTxn is not null)
            {
                Choose(op.RequestTxn, path);
            }
        }
    }

    private bool Holds(Compare c)
    {
        var kvs = InRange(_live, c.Key, c.RangeEnd);
        if (kvs.Count == 0)
        {
            if (c.Target == CompareTarget.Value)
            {
                return false;
            }

            kvs = [new KeyValue()];
        }

        return kvs.All(kv =>
        {
            var order = c.Target switch
            {
                CompareTarget.Version => kv.Version.CompareTo(c.Version),
                CompareTarget.Create => kv.CreateRevision.CompareTo(c.CreateRevision),
                CompareTarget.Mod => kv.ModRevision.CompareTo(c.ModRevision),
                CompareTarget.Lease => kv.Lease.CompareTo(c.Lease),
                _ => kv.Value.Span.SequenceCompareTo(c.Value.Span),
            };
            return c.Result switch
            {
                CompareResult.Equal => order == 0,
                CompareResult.Greater => order > 0,
                CompareResult.Less => order < 0,
                _ => order != 0,
            };
        });
    }

    private MvccStatus CheckPath(TxnRequest txn, List<bool> path, ref int i, bool puts)
    {
        foreach (var op in path[i++] ? txn.Success : txn.Failure)
        {
            var status = MvccStatus.Ok;
            if (op.RequestTxn is not null)
            {
                status = CheckPath(op.RequestTxn, path, ref i, puts);
            }
            else if (puts && op.RequestPut is { } put)
            {
                if (put.Lease != 0 && !_leases.ContainsKey(put.Lease))
                {
                    status = MvccStatus.LeaseNotFound;
                }
                else if ((put.IgnoreValue || put.IgnoreLease) && !_live.ContainsKey(K(put.Key)))
                {
                    status = MvccStatus.KeyNotFound;
                }
            }
            else if (!puts && op.RequestRange is { } range)
            {
                status = CheckRevision(range.Revision);
            }

            if (status != MvccStatus.Ok)
            {
                return status;
            }
        }

        return MvccStatus.Ok;
    }

    private TxnResponse Execute(TxnRequest txn, List<bool> path, ref int i, Dictionary<string, KeyValue> work, List<Event> events)
    {
        var ok = path[i++];
        var responses = new List<ResponseOp>();
        var next = Revision + 1;
        foreach (var op in ok ? txn.Success : txn.Failure)
        {
            if (op.RequestRange is { } range)
            {
                responses.Add(new ResponseOp { ResponseRange = Read(work, range, events.Count > 0 ? next : Revision) });
            }
            else if (op.RequestPut is { } put)
            {
                var key = K(put.Key);
                work.TryGetValue(key, out var prev);
                var kv = new KeyValue
                {
                    Key = put.Key,
                    CreateRevision = prev?.CreateRevision ?? next,
                    ModRevision = next,
                    Version = (prev?.Version ?? 0) + 1,
                    Value = put.IgnoreValue ? prev!.Value : put.Value,
                    Lease = put.IgnoreLease ? prev!.Lease : put.Lease,
                };
                work[key] = kv;
                events.Add(new Event { Type = EventType.Put, Kv = kv, PrevKv = prev });
                responses.Add(new ResponseOp { ResponsePut = new PutResponse { Header = new ResponseHeader { Revision = next }, PrevKv = put.PrevKv ? prev : null } });
            }
            else if (op.RequestDeleteRange is { } delete)
            {
                var victims = InRange(work, delete.Key, delete.RangeEnd);
                foreach (var kv in victims)
                {
                    work.Remove(K(kv.Key));
                    events.Add(new Event { Type = EventType.Delete, Kv = new KeyValue { Key = kv.Key, ModRevision = next }, PrevKv = kv });
                }

                responses.Add(new ResponseOp
                {
                    ResponseDeleteRange = new DeleteRangeResponse
                    {
                        Header = new ResponseHeader { Revision = events.Count > 0 ? next : Revision },
                        Deleted = victims.Count,
                        PrevKvs = delete.PrevKv ? victims : [],
                    },
                });
            }
            else
            {
                responses.Add(new ResponseOp { ResponseTxn = Execute(op.RequestTxn!, path, ref i, work, events) });
            }
        }

        return new TxnResponse { Succeeded = ok, Responses = responses };
    }

    public MvccStatus Compact(long revision)
    {
        LastEvents = [];
        if (revision <= CompactRevision)
        {
            return MvccStatus.Compacted;
        }

        if (revision > Revision)
        {
            return MvccStatus.FutureRevision;
        }

        foreach (var old in _snapshots.Keys.Where(r => r < revision).ToList())
        {
            _snapshots.Remove(old);
        }

        CompactRevision = revision;
        return MvccStatus.Ok;
    }

    public MvccStatus LeaseGrant(long id, long ttl)
    {
        LastEvents = [];
        return _leases.TryAdd(id, ttl) ? MvccStatus.Ok : MvccStatus.LeaseAlreadyExists;
    }

    public MvccStatus LeaseRevoke(long id)
    {
        LastEvents = [];
        if (!_leases.Remove(id))
        {
            return MvccStatus.LeaseNotFound;
        }

        var keys = _live.Values.Where(kv => kv.Lease == id).OrderBy(kv => K(kv.Key), StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            return MvccStatus.Ok;
        }

        Revision++;
        var events = new List<Event>();
        foreach (var kv in keys)
        {
            _live.Remove(K(kv.Key));
            events.Add(new Event { Type = EventType.Delete, Kv = new KeyValue { Key = kv.Key, ModRevision = Revision }, PrevKv = kv });
        }

        _snapshots[Revision] = new Dictionary<string, KeyValue>(_live);
        _events.AddRange(events);
        LastEvents = events;
        return MvccStatus.Ok;
    }

    public List<string> LeaseKeys(long id) =>
        _live.Values.Where(kv => kv.Lease == id).Select(kv => K(kv.Key)).OrderBy(k => k, StringComparer.Ordinal).ToList();

    public List<long> LeaseIds() => _leases.Keys.Order().ToList();

    public bool TryGetHistory(long from, out List<Event> events)
    {
        if (from < CompactRevision)
        {
            events = [];
            return false;
        }

        // A previous version is available only while it is readable: not for events at the compaction point.
        events = _events.Where(e => e.Kv.ModRevision >= from)
            .Select(e => e.Kv.ModRevision > CompactRevision ? e : new Event { Type = e.Type, Kv = e.Kv })
            .ToList();
        return true;
    }
}
