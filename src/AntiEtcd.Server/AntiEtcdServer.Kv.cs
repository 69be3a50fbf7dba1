using System.Text;
using AntiEtcd.Api;
using AntiEtcd.Mvcc;
using AntiEtcd.Server.Hosting;
using AntiEtcd.Server.Node;

namespace AntiEtcd.Server;

public sealed partial class AntiEtcdServer
{
    /// <summary>Reads a key or a range (SPEC §4.1).</summary>
    /// <param name="request">The request.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting; the read itself has no effect to undo.</param>
    public Task<RangeResponse> RangeAsync(RangeRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfStopping();
        Check(RequestValidator.ValidateRange(request));
        return ReadAsync(static (store, r) => store.Range(r), request, static r => r.Header, request.Serializable, context, cancellationToken);
    }

    /// <summary>Reads one key, given as UTF-8 text.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<RangeResponse> RangeAsync(string key, CancellationToken cancellationToken = default) =>
        RangeAsync(new RangeRequest { Key = Encoding.UTF8.GetBytes(key) }, null, cancellationToken);

    /// <summary>Writes a key (SPEC §4.2).</summary>
    /// <param name="request">The request; its key and value are copied.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting; a write that was already queued still happens.</param>
    public Task<PutResponse> PutAsync(PutRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return PutCoreAsync(Own(request), context, cancellationToken);
    }

    /// <summary>Writes a key and value given as UTF-8 text.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<PutResponse> PutAsync(string key, string value, CancellationToken cancellationToken = default) =>
        PutCoreAsync(new PutRequest { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value) }, null, cancellationToken);

    /// <summary>Deletes a key or a range (SPEC §4.3).</summary>
    /// <param name="request">The request.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting; a delete that was already queued still happens.</param>
    public Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfStopping();
        Check(RequestValidator.ValidateDeleteRange(request));
        return ProposeAsync(new Command { Type = CommandType.DeleteRange, DeleteRange = request }, static (DeleteRangeResponse r) => r.Header, context, cancellationToken);
    }

    /// <summary>Runs a transaction (SPEC §4.4): all of it at one revision, or nothing.</summary>
    /// <param name="request">The request; the keys and values of its puts are copied.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting; a txn that was already queued still runs.</param>
    public Task<TxnResponse> TxnAsync(TxnRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return TxnCoreAsync(Own(request), context, cancellationToken);
    }

    /// <summary>Drops history before a revision (SPEC §4.5).</summary>
    /// <param name="request">The request.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<CompactionResponse> CompactAsync(CompactionRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfStopping();
        return ProposeAsync(new Command { Type = CommandType.Compact, Revision = request.Revision }, static (CompactionResponse r) => r.Header, context, cancellationToken);
    }

    /// <summary>The put path for a request whose buffers the server owns.</summary>
    internal Task<PutResponse> PutCoreAsync(PutRequest request, RequestContext? context, CancellationToken cancellationToken)
    {
        ThrowIfStopping();
        Check(RequestValidator.ValidatePut(request));
        return ProposeAsync(new Command { Type = CommandType.Put, Put = request }, static (PutResponse r) => r.Header, context, cancellationToken);
    }

    /// <summary>The txn path for a request whose buffers the server owns.</summary>
    internal Task<TxnResponse> TxnCoreAsync(TxnRequest request, RequestContext? context, CancellationToken cancellationToken)
    {
        ThrowIfStopping();
        Check(RequestValidator.ValidateTxn(request, _options.MaxTxnOps));
        return RequestValidator.IsReadOnly(request)
            ? ReadAsync(static (store, r) => store.Txn(r), request, static r => r.Header, IsSerializableTxn(request), context, cancellationToken)
            : ProposeAsync(new Command { Type = CommandType.Txn, Txn = request }, static (TxnResponse r) => r.Header, context, cancellationToken);
    }

    /// <summary>
    /// Runs a read on the apply loop and turns its outcome into a response or an error. On a cluster node it first
    /// waits for readiness and, unless the read is serializable, a read index (SPEC §8.5).
    /// </summary>
    private async Task<TResponse> ReadAsync<TRequest, TResponse>(
        Func<MvccStore, TRequest, MvccResult<TResponse>> call,
        TRequest request,
        Func<TResponse, ResponseHeader> header,
        bool serializable,
        RequestContext? context,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        await WaitForImportAsync(context?.NoWaitQuorum == true, cancellationToken).ConfigureAwait(false);
        var (result, compactRevision) = IsClusterMode
            ? await ReadAfterAsync(
                static (store, state) => (state.Call(store, state.Request), store.CompactRevision),
                (Call: call, Request: request),
                serializable,
                context,
                cancellationToken).ConfigureAwait(false)
            : await Loop.ExecuteAsync(
                static (store, state) => (state.Call(store, state.Request), store.CompactRevision),
                (Call: call, Request: request),
                false,
                cancellationToken).ConfigureAwait(false);
        if (!result.IsOk)
        {
            throw EtcdErrors.FromStatus(result.Status, compactRevision);
        }

        var response = result.Response!;
        FillHeader(header(response));
        return response;
    }

    /// <summary>
    /// A read-only txn is served serializably (SPEC §8.5) with the top-level flag, or when it has at least one op, no
    /// nested txn, and every op is a range with <c>serializable</c>.
    /// </summary>
    private static bool IsSerializableTxn(TxnRequest request)
    {
        if (request.Serializable)
        {
            return true;
        }

        var any = false;
        foreach (var ops in new[] { request.Success, request.Failure })
        {
            foreach (var op in ops)
            {
                if (op.RequestRange is not { Serializable: true })
                {
                    return false;
                }

                any = true;
            }
        }

        return any;
    }

    private static void Check(MvccStatus status)
    {
        if (status != MvccStatus.Ok)
        {
            throw EtcdErrors.FromStatus(status, 0);
        }
    }

    /// <summary>Copies the buffers the store would keep, so a caller may reuse its own.</summary>
    private static PutRequest Own(PutRequest request) => new()
    {
        Key = request.Key.ToArray(),
        Value = request.Value.ToArray(),
        Lease = request.Lease,
        PrevKv = request.PrevKv,
        IgnoreValue = request.IgnoreValue,
        IgnoreLease = request.IgnoreLease,
    };

    private static TxnRequest Own(TxnRequest request) => new()
    {
        Compare = request.Compare,
        Success = Own(request.Success),
        Failure = Own(request.Failure),
        Serializable = request.Serializable,
    };

    private static RequestOp[] Own(IReadOnlyList<RequestOp> ops)
    {
        var owned = new RequestOp[ops.Count];
        for (var i = 0; i < owned.Length; i++)
        {
            var op = ops[i];
            owned[i] = new RequestOp
            {
                RequestRange = op.RequestRange,
                RequestPut = op.RequestPut is null ? null : Own(op.RequestPut),
                RequestDeleteRange = op.RequestDeleteRange,
                RequestTxn = op.RequestTxn is null ? null : Own(op.RequestTxn),
            };
        }

        return owned;
    }
}
