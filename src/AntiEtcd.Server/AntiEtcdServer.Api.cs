using System.Buffers;
using System.Text.Json.Nodes;
using AntiEtcd.Api;
using AntiEtcd.Api.Json;
using AntiEtcd.Server.Hosting;

namespace AntiEtcd.Server;

public sealed partial class AntiEtcdServer
{
    /// <summary>
    /// The generic call: takes and returns exactly the HTTP JSON bodies (SPEC §13.2), so code
    /// ported from antietcd's <c>api()</c> keeps working.
    /// </summary>
    /// <param name="name">A canonical API name such as <c>kv_put</c>, or an alias such as <c>kv_lease_revoke</c>.</param>
    /// <param name="body">The request body; null is <c>{}</c>. The §3.5 flags are honoured as body fields.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The response body (for <c>lease_keepalive</c>, with its <c>result</c> wrapper).</returns>
    public async Task<JsonObject> ApiAsync(string name, JsonObject? body = null, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var kind = ApiRoutes.FromName(name);
        if (kind == ApiKind.None)
        {
            throw EtcdErrors.UnsupportedApi();
        }

        var request = new ArrayBufferWriter<byte>();
        using (var bodyWriter = ApiJsonWriter.CreateWriter(request))
        {
            (body ?? []).WriteTo(bodyWriter);
        }

        var reply = await InvokeAsync(kind, request.WrittenMemory, RequestFlags.None, context, cancellationToken).ConfigureAwait(false);
        var output = new ArrayBufferWriter<byte>();
        using (var writer = ApiJsonWriter.CreateWriter(output))
        {
            ApiReplyWriter.Write(writer, kind, reply);
        }

        return JsonNode.Parse(output.WrittenSpan)!.AsObject();
    }

    /// <summary>
    /// Decodes an HTTP body (SPEC §3.2 steps 5-6), runs the call, and returns the response object
    /// for <see cref="ApiReplyWriter"/>. The HTTP layer and <see cref="ApiAsync"/> both come here.
    /// </summary>
    internal async Task<object> InvokeAsync(ApiKind kind, ReadOnlyMemory<byte> body, RequestFlags queryFlags, RequestContext? context, CancellationToken cancellationToken)
    {
        ThrowIfStopping();
        RequestFlags flags;
        object request;
        try
        {
            request = kind switch
            {
                ApiKind.KvRange => ApiJsonReader.ReadRangeRequest(body.Span, out flags),
                ApiKind.KvPut => ApiJsonReader.ReadPutRequest(body.Span, out flags),
                ApiKind.KvDeleteRange => ApiJsonReader.ReadDeleteRangeRequest(body.Span, out flags),
                ApiKind.KvTxn => ApiJsonReader.ReadTxnRequest(body.Span, out flags),
                ApiKind.KvCompaction => ApiJsonReader.ReadCompactionRequest(body.Span, out flags),
                ApiKind.LeaseGrant => ApiJsonReader.ReadLeaseGrantRequest(body.Span, out flags),
                ApiKind.LeaseRevoke => ApiJsonReader.ReadLeaseRevokeRequest(body.Span, out flags),
                ApiKind.LeaseKeepAlive => ApiJsonReader.ReadLeaseKeepAliveRequest(body.Span, out flags),
                ApiKind.LeaseTimeToLive => ApiJsonReader.ReadLeaseTimeToLiveRequest(body.Span, out flags),
                _ => ReadEmpty(body.Span, out flags),
            };
        }
        catch (ApiDecodeException ex)
        {
            throw EtcdErrors.BadRequest(ex.Message);
        }

        var effective = Merge(context, flags | queryFlags);
        if (effective.ApplyAuthFilter && _authFilter is not null)
        {
            return await InvokeFilteredAsync(kind, request, body, effective, cancellationToken).ConfigureAwait(false);
        }

        return await DispatchAsync(kind, request, effective, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a decoded request through its typed call.</summary>
    private async Task<object> DispatchAsync(ApiKind kind, object request, RequestContext effective, CancellationToken cancellationToken) =>
        kind switch
        {
            ApiKind.KvRange => await RangeAsync((RangeRequest)request, effective, cancellationToken).ConfigureAwait(false),
            ApiKind.KvPut => await PutCoreAsync((PutRequest)request, effective, cancellationToken).ConfigureAwait(false),
            ApiKind.KvDeleteRange => await DeleteRangeAsync((DeleteRangeRequest)request, effective, cancellationToken).ConfigureAwait(false),
            ApiKind.KvTxn => await TxnCoreAsync((TxnRequest)request, effective, cancellationToken).ConfigureAwait(false),
            ApiKind.KvCompaction => await CompactAsync((CompactionRequest)request, effective, cancellationToken).ConfigureAwait(false),
            ApiKind.LeaseGrant => await LeaseGrantAsync((LeaseGrantRequest)request, effective, cancellationToken).ConfigureAwait(false),
            ApiKind.LeaseRevoke => await LeaseRevokeAsync((LeaseRevokeRequest)request, effective, cancellationToken).ConfigureAwait(false),
            ApiKind.LeaseKeepAlive => await LeaseKeepAliveAsync((LeaseKeepAliveRequest)request, effective, cancellationToken).ConfigureAwait(false),
            ApiKind.LeaseTimeToLive => await LeaseTimeToLiveAsync((LeaseTimeToLiveRequest)request, effective, cancellationToken).ConfigureAwait(false),
            ApiKind.LeaseLeases => await LeaseLeasesAsync(effective, cancellationToken).ConfigureAwait(false),
            ApiKind.MaintenanceStatus => await StatusAsync(cancellationToken).ConfigureAwait(false),
            _ => throw EtcdErrors.UnsupportedApi(),
        };

    private static string ReadEmpty(ReadOnlySpan<byte> body, out RequestFlags flags)
    {
        ApiJsonReader.ReadEmptyRequest(body, out flags);
        return string.Empty;
    }

    /// <summary>The caller's context with the request's flags added (either source sets a flag, SPEC §3.5).</summary>
    private static RequestContext Merge(RequestContext? context, RequestFlags flags)
    {
        var merged = context ?? new RequestContext();
        if (flags == RequestFlags.None)
        {
            return merged;
        }

        if (context is not null)
        {
            merged = new RequestContext(context.Items)
            {
                FilterInitialized = context.FilterInitialized,
                LeaderOnly = context.LeaderOnly,
                Serializable = context.Serializable,
                NoWaitQuorum = context.NoWaitQuorum,
                ApplyAuthFilter = context.ApplyAuthFilter,
                Username = context.Username,
                ClientCertificate = context.ClientCertificate,
                RemoteAddress = context.RemoteAddress,
            };
        }

        merged.LeaderOnly |= flags.HasFlag(RequestFlags.LeaderOnly);
        merged.Serializable |= flags.HasFlag(RequestFlags.Serializable);
        merged.NoWaitQuorum |= flags.HasFlag(RequestFlags.NoWaitQuorum);
        return merged;
    }
}
