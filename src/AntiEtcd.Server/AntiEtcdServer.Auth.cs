using System.Text.Json;
using System.Text.Json.Nodes;
using AntiEtcd.Api;
using AntiEtcd.Server.Hosting;

namespace AntiEtcd.Server;

public sealed partial class AntiEtcdServer
{
    private IAuthFilter? _authFilter;

    /// <summary>Creates (from <c>--auth_filter</c>) and initializes the auth filter, at start.</summary>
    private async Task InitAuthFilterAsync(CancellationToken cancellationToken)
    {
        _authFilter = _options.AuthFilter
            ?? (_options.AuthFilterType is { } type ? FilterLoader.Create<IAuthFilter>("auth_filter", type, _options.RawOptions) : null);
        if (_authFilter is not null)
        {
            await _authFilter.InitAsync(this, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the filter's <c>InitContext</c> once for a connection's context (SPEC §10.6).</summary>
    internal void PrepareContext(RequestContext context)
    {
        if (_authFilter is null || context.FilterInitialized)
        {
            return;
        }

        context.FilterInitialized = true;
        Guard(() => { _authFilter.InitContext(context, context.ClientCertificate); return true; });
    }

    /// <summary>The auth filter's view of an outgoing watch message: the message, a changed one, or null to drop it.</summary>
    internal WatchResponse? FilterWatchMessage(RequestContext context, WatchResponse message) =>
        _authFilter is null ? message : Guard(() => _authFilter.FilterWatchMessage(context, message));

    /// <summary>SPEC §3.2 step 7 and §10.6: the filter's hooks around one API call.</summary>
    private async Task<object> InvokeFilteredAsync(ApiKind kind, object request, ReadOnlyMemory<byte> body, RequestContext context, CancellationToken cancellationToken)
    {
        var filter = _authFilter!;
        PrepareContext(context);
        switch (kind)
        {
            case ApiKind.KvCompaction or ApiKind.LeaseGrant or ApiKind.LeaseRevoke or ApiKind.LeaseKeepAlive or ApiKind.LeaseTimeToLive or ApiKind.LeaseLeases:
                var json = ParseBody(body);
                if (!Guard(() => filter.FilterApi(context, ApiRoutes.Name(kind), json)))
                {
                    throw EtcdErrors.AccessDenied();
                }

                return await DispatchAsync(kind, request, context, cancellationToken).ConfigureAwait(false);

            case ApiKind.KvRange or ApiKind.KvPut or ApiKind.KvDeleteRange or ApiKind.KvTxn:
                var asTxn = kind == ApiKind.KvTxn ? (TxnRequest)request : new TxnRequest { Success = [ToOp(request)] };
                var filtered = Guard(() => filter.FilterTxn(context, asTxn)) ?? throw EtcdErrors.AccessDenied();
                var allowed = kind == ApiKind.KvTxn ? filtered : FromOp(kind, filtered);
                var response = await DispatchAsync(kind, allowed, context, cancellationToken).ConfigureAwait(false);
                var asTxnResponse = response as TxnResponse ?? new TxnResponse { Header = HeaderOf(response), Succeeded = true, Responses = [ToResponseOp(response)] };
                Guard(() => { filter.FilterTxnResponse(context, filtered, asTxnResponse); return true; });
                return kind == ApiKind.KvTxn ? asTxnResponse : FromResponseOp(asTxnResponse.Responses.Count == 1 ? asTxnResponse.Responses[0] : null) ?? response;

            default:
                return await DispatchAsync(kind, request, context, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A filter hook that throws refuses the request; it never takes the server down.</summary>
    private T Guard<T>(Func<T> hook)
    {
        try
        {
            return hook();
        }
        catch (Exception ex) when (ex is not AntiEtcdRequestException)
        {
            Log.AuthFilterFailed(_logger, ex);
            throw EtcdErrors.AccessDenied();
        }
    }

    private static JsonObject ParseBody(ReadOnlyMemory<byte> body)
    {
        // The body already passed the decoder's checks, so it is one JSON value or white space.
        try
        {
            return JsonNode.Parse(body.Span.Trim(" \t\r\n"u8).IsEmpty ? "{}"u8 : body.Span) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static RequestOp ToOp(object request) => request switch
    {
        RangeRequest r => new RequestOp { RequestRange = r },
        PutRequest p => new RequestOp { RequestPut = p },
        DeleteRangeRequest d => new RequestOp { RequestDeleteRange = d },
        _ => throw new InvalidOperationException("not a KV request"),
    };

    /// <summary>For range, put and deleterange the filtered txn must still be that one request (SPEC §10.6).</summary>
    private static object FromOp(ApiKind kind, TxnRequest txn)
    {
        if (txn.Compare.Count != 0 || txn.Failure.Count != 0 || txn.Success.Count != 1)
        {
            throw EtcdErrors.AccessDenied();
        }

        var op = txn.Success[0];
        object? request = kind switch
        {
            ApiKind.KvRange when op.RequestPut is null && op.RequestDeleteRange is null && op.RequestTxn is null => op.RequestRange,
            ApiKind.KvPut when op.RequestRange is null && op.RequestDeleteRange is null && op.RequestTxn is null => op.RequestPut,
            ApiKind.KvDeleteRange when op.RequestRange is null && op.RequestPut is null && op.RequestTxn is null => op.RequestDeleteRange,
            _ => null,
        };
        return request ?? throw EtcdErrors.AccessDenied();
    }

    private static ResponseHeader HeaderOf(object response) => response switch
    {
        RangeResponse r => r.Header,
        PutResponse p => p.Header,
        DeleteRangeResponse d => d.Header,
        _ => new ResponseHeader(),
    };

    private static ResponseOp ToResponseOp(object response) => response switch
    {
        RangeResponse r => new ResponseOp { ResponseRange = r },
        PutResponse p => new ResponseOp { ResponsePut = p },
        DeleteRangeResponse d => new ResponseOp { ResponseDeleteRange = d },
        _ => new ResponseOp(),
    };

    private static object? FromResponseOp(ResponseOp? op) =>
        (object?)op?.ResponseRange ?? (object?)op?.ResponsePut ?? op?.ResponseDeleteRange;
}
