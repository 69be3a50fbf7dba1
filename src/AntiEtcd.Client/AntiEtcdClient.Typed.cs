using System.Text.Json;
using AntiEtcd.Api;
using AntiEtcd.Api.Json;

namespace AntiEtcd.Client;

/// <content>Typed calls: encode the request DTO, post it with failover, decode the answer.</content>
public sealed partial class AntiEtcdClient
{
    /// <summary>Reads a range (SPEC §4.1). A read: fails over freely.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="AntiEtcdClientException">The request failed.</exception>
    public async Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken)
    {
        var response = await PostAsync("/v3/kv/range", Encode(request, ApiRequestWriter.Write), RequestKind.Read, cancellationToken).ConfigureAwait(false);
        return ApiResponseReader.ReadRangeResponse(response.Body);
    }

    /// <summary>Puts a key (SPEC §4.2). A write.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops waiting; the put may still be applied.</param>
    /// <exception cref="AntiEtcdClientException">The request failed.</exception>
    public async Task<PutResponse> PutAsync(PutRequest request, CancellationToken cancellationToken)
    {
        var response = await PostAsync("/v3/kv/put", Encode(request, ApiRequestWriter.Write), RequestKind.Write, cancellationToken).ConfigureAwait(false);
        return ApiResponseReader.ReadPutResponse(response.Body);
    }

    /// <summary>Deletes a range (SPEC §4.3). A write.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops waiting; the delete may still be applied.</param>
    /// <exception cref="AntiEtcdClientException">The request failed.</exception>
    public async Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken)
    {
        var response = await PostAsync("/v3/kv/deleterange", Encode(request, ApiRequestWriter.Write), RequestKind.Write, cancellationToken).ConfigureAwait(false);
        return ApiResponseReader.ReadDeleteRangeResponse(response.Body);
    }

    /// <summary>
    /// Runs a txn (SPEC §4.4). It is a write when any branch, nested ones included, holds a put or
    /// a delete, and a read otherwise.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops waiting; a write txn may still be applied.</param>
    /// <exception cref="AntiEtcdClientException">The request failed.</exception>
    public async Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kind = IsWrite(request) ? RequestKind.Write : RequestKind.Read;
        var response = await PostAsync("/v3/kv/txn", Encode(request, ApiRequestWriter.Write), kind, cancellationToken).ConfigureAwait(false);
        return ApiResponseReader.ReadTxnResponse(response.Body);
    }

    /// <summary>Grants a lease (SPEC §5.1). A write.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops waiting; the grant may still be applied.</param>
    /// <exception cref="AntiEtcdClientException">The request failed.</exception>
    public async Task<LeaseGrantResponse> LeaseGrantAsync(LeaseGrantRequest request, CancellationToken cancellationToken)
    {
        var response = await PostAsync("/v3/lease/grant", Encode(request, ApiRequestWriter.Write), RequestKind.Write, cancellationToken).ConfigureAwait(false);
        return ApiResponseReader.ReadLeaseGrantResponse(response.Body);
    }

    /// <summary>Revokes a lease (SPEC §5.2). A write.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops waiting; the revoke may still be applied.</param>
    /// <exception cref="AntiEtcdClientException">The request failed (404 for an unknown lease).</exception>
    public async Task<LeaseRevokeResponse> LeaseRevokeAsync(LeaseRevokeRequest request, CancellationToken cancellationToken)
    {
        var response = await PostAsync("/v3/lease/revoke", Encode(request, ApiRequestWriter.Write), RequestKind.Write, cancellationToken).ConfigureAwait(false);
        return ApiResponseReader.ReadLeaseRevokeResponse(response.Body);
    }

    /// <summary>Renews a lease once over POST (SPEC §5.3). Safe to retry. <c>Ttl</c> 0 means the lease is gone.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="AntiEtcdClientException">The request failed.</exception>
    public async Task<LeaseKeepAliveResponse> LeaseKeepAliveAsync(LeaseKeepAliveRequest request, CancellationToken cancellationToken)
    {
        var response = await PostAsync("/v3/lease/keepalive", Encode(request, ApiRequestWriter.Write), RequestKind.Read, cancellationToken).ConfigureAwait(false);
        return ApiResponseReader.ReadLeaseKeepAliveResponse(response.Body);
    }

    /// <summary>Reads a lease's remaining time (SPEC §5.4). A read.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="AntiEtcdClientException">The request failed.</exception>
    public async Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(LeaseTimeToLiveRequest request, CancellationToken cancellationToken)
    {
        var response = await PostAsync("/v3/lease/timetolive", Encode(request, ApiRequestWriter.Write), RequestKind.Read, cancellationToken).ConfigureAwait(false);
        return ApiResponseReader.ReadLeaseTimeToLiveResponse(response.Body);
    }

    /// <summary>Lists the leases (SPEC §5.5). A read.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="AntiEtcdClientException">The request failed.</exception>
    public async Task<LeaseLeasesResponse> LeaseLeasesAsync(CancellationToken cancellationToken)
    {
        var response = await PostAsync("/v3/lease/leases", EmptyBody, RequestKind.Read, cancellationToken).ConfigureAwait(false);
        return ApiResponseReader.ReadLeaseLeasesResponse(response.Body);
    }

    /// <summary>Asks one endpoint for its status (SPEC §6.1), with no failover: status describes that node.</summary>
    /// <param name="endpoint">The endpoint to ask.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="AntiEtcdClientException">The request failed.</exception>
    public async Task<StatusResponse> StatusAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        var response = await PostToAsync(endpoint, "/v3/maintenance/status", EmptyBody, cancellationToken).ConfigureAwait(false);
        return ApiResponseReader.ReadStatusResponse(response.Body);
    }

    /// <summary>The body of requests without fields: <c>{}</c>.</summary>
    public static ReadOnlyMemory<byte> EmptyBody { get; } = "{}"u8.ToArray();

    /// <summary>Whether a txn changes anything when it runs: any put or delete in any branch, at any depth.</summary>
    /// <param name="request">The txn.</param>
    public static bool IsWrite(TxnRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HasWrite(request.Success) || HasWrite(request.Failure);
    }

    private static bool HasWrite(IReadOnlyList<RequestOp> ops)
    {
        for (int i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            if (op.RequestPut is not null || op.RequestDeleteRange is not null || (op.RequestTxn is not null && IsWrite(op.RequestTxn)))
            {
                return true;
            }
        }

        return false;
    }

    private static byte[] Encode<T>(T request, Action<Utf8JsonWriter, T> write) => ApiJsonWriter.ToUtf8Bytes(request, write);
}
