using AntiEtcd.Api;

namespace AntiEtcd.Mvcc;

/// <summary>Transactions (SPEC §4.4).</summary>
public sealed partial class MvccStore
{
    /// <summary>
    /// Runs a txn, read-only or write, all or nothing: every compare on the chosen path (nested
    /// levels included) is evaluated against the state before the txn, then the path's state
    /// checks (puts first, then ranges) are made, and only then do its ops run, in order, at one
    /// revision R0+1 (SPEC §4.4).
    /// </summary>
    /// <remarks>
    /// Sub-headers: a range op gets R0 until an earlier op of the txn changed something, then
    /// R0+1; a put gets R0+1; a delete R0+1 if it or an earlier op changed something, else R0; a
    /// nested txn's response has an empty header. The top-level header is R0+1 if anything
    /// changed, else R0.
    /// </remarks>
    public MvccResult<TxnResponse> Txn(TxnRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        _lastEvents = NoEvents;
        var status = RequestValidator.ValidateTxn(r, int.MaxValue);
        if (status != MvccStatus.Ok)
        {
            return MvccResult<TxnResponse>.Fail(status);
        }

        // Step 4: choose every level's branch against the state before the txn, in pre-order.
        var path = new List<bool>();
        ChoosePath(r, path);

        // Step 5: state checks on the chosen path, all puts first, then all ranges.
        var step = 0;
        status = CheckPath(r, path, ref step, puts: true);
        if (status == MvccStatus.Ok)
        {
            step = 0;
            status = CheckPath(r, path, ref step, puts: false);
        }

        if (status != MvccStatus.Ok)
        {
            return MvccResult<TxnResponse>.Fail(status);
        }

        var r0 = _revision;
        BeginWrite();
        step = 0;
        var response = ExecuteTxn(r, path, ref step, r0);
        EndWrite();
        response.Header.Revision = _revision;
        return MvccResult<TxnResponse>.Ok(response);
    }

    private void ChoosePath(TxnRequest txn, List<bool> path)
    {
        var succeeded = true;
        for (var i = 0; i < txn.Compare.Count && succeeded; i++)
        {
            succeeded = CompareHolds(txn.Compare[i]);
        }

        path.Add(succeeded);
        var ops = succeeded ? txn.Success : txn.Failure;
        for (var i = 0; i < ops.Count; i++)
        {
            if (RequestValidator.Classify(ops[i]) == RequestValidator.OpKind.Txn)
            {
                ChoosePath(ops[i].RequestTxn!, path);
            }
        }
    }

    private MvccStatus CheckPath(TxnRequest txn, List<bool> path, ref int step, bool puts)
    {
        var ops = path[step++] ? txn.Success : txn.Failure;
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var status = RequestValidator.Classify(op) switch
            {
                RequestValidator.OpKind.Put when puts => CheckPut(op.RequestPut!),

                // Against R0: a txn cannot read its own revision by number (SPEC §4.4 step 5).
                RequestValidator.OpKind.Range when !puts => CheckReadRevision(op.RequestRange!.Revision, _revision),
                RequestValidator.OpKind.Txn => CheckPath(op.RequestTxn!, path, ref step, puts),
                _ => MvccStatus.Ok,
            };
            if (status != MvccStatus.Ok)
            {
                return status;
            }
        }

        return MvccStatus.Ok;
    }

    private TxnResponse ExecuteTxn(TxnRequest txn, List<bool> path, ref int step, long r0)
    {
        var succeeded = path[step++];
        var ops = succeeded ? txn.Success : txn.Failure;
        var responses = ops.Count == 0 ? Array.Empty<ResponseOp>() : new ResponseOp[ops.Count];
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            switch (RequestValidator.Classify(op))
            {
                case RequestValidator.OpKind.Range:
                    responses[i] = new ResponseOp { ResponseRange = ReadRange(op.RequestRange!, ChangedSoFar ? r0 + 1 : r0) };
                    break;
                case RequestValidator.OpKind.Put:
                    responses[i] = new ResponseOp { ResponsePut = ApplyPut(op.RequestPut!) };
                    break;
                case RequestValidator.OpKind.DeleteRange:
                    var deleted = ApplyDeleteRange(op.RequestDeleteRange!);
                    deleted.Header.Revision = ChangedSoFar ? r0 + 1 : r0;
                    responses[i] = new ResponseOp { ResponseDeleteRange = deleted };
                    break;
                default:
                    // A nested txn's response carries an empty header, as etcd's does.
                    var nested = ExecuteTxn(op.RequestTxn!, path, ref step, r0);
                    responses[i] = new ResponseOp { ResponseTxn = nested };
                    break;
            }
        }

        return new TxnResponse { Succeeded = succeeded, Responses = responses };
    }

    /// <summary>True once the write being applied has changed something.</summary>
    private bool ChangedSoFar => _writeEvents is not null;

    /// <summary>One compare against the current state (SPEC §4.4 "Compare semantics").</summary>
    private bool CompareHolds(Compare c)
    {
        var range = KeyRange.Create(c.Key, c.RangeEnd);
        var found = false;
        if (!range.IsEmpty)
        {
            for (var cursor = _index.Seek(range.Start.Span); cursor.IsValid && !range.IsPastEnd(cursor.Key.Span); cursor.MoveNext())
            {
                var kv = Current(cursor.Value);
                if (kv is null)
                {
                    continue;
                }

                found = true;
                if (!Holds(c, kv))
                {
                    return false;
                }
            }
        }

        if (found)
        {
            return true;
        }

        // No key: VALUE is false; every other target compares a zero KeyValue, so VERSION EQUAL 0
        // means "absent", also for a deleted key (SPEC §14.1 item 7).
        return c.Target != CompareTarget.Value && Holds(c, ZeroKeyValue);
    }

    private static readonly KeyValue ZeroKeyValue = new();

    private static bool Holds(Compare c, KeyValue kv)
    {
        int order;
        switch (c.Target)
        {
            case CompareTarget.Version:
                order = kv.Version.CompareTo(c.Version);
                break;
            case CompareTarget.Create:
                order = kv.CreateRevision.CompareTo(c.CreateRevision);
                break;
            case CompareTarget.Mod:
                order = kv.ModRevision.CompareTo(c.ModRevision);
                break;
            case CompareTarget.Value:
                order = kv.Value.Span.SequenceCompareTo(c.Value.Span);
                break;
            case CompareTarget.Lease:
                order = kv.Lease.CompareTo(c.Lease);
                break;
            default:
                return false;
        }

        return c.Result switch
        {
            CompareResult.Equal => order == 0,
            CompareResult.Greater => order > 0,
            CompareResult.Less => order < 0,
            CompareResult.NotEqual => order != 0,
            _ => false,
        };
    }
}
