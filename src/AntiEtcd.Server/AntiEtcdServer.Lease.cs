using System.Security.Cryptography;
using AntiEtcd.Api;
using AntiEtcd.Mvcc;
using AntiEtcd.Server.Node;

namespace AntiEtcd.Server;

public sealed partial class AntiEtcdServer
{
    private Lessor? _lessor;

    /// <summary>The smallest TTL a lease gets: max(2, ceil(1.5 × election_timeout / 1000)) seconds (SPEC §5.1).</summary>
    internal long MinimumTtl => Math.Max(2, (long)Math.Ceiling(1.5 * _options.ElectionTimeout / 1000.0));

    private Lessor Lessor => _lessor ??= new Lessor(_time);

    /// <summary>Grants a lease (SPEC §5.1). ID 0 lets the server choose; the TTL is raised to the minimum.</summary>
    /// <param name="request">The request.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<LeaseGrantResponse> LeaseGrantAsync(LeaseGrantRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfStopping();
        Check(RequestValidator.ValidateLeaseGrant(request));
        // Everything apply needs is decided before it runs (SPEC §8.8): the effective TTL here,
        // a free random ID on the loop, where the store can say which IDs are in use.
        var ttl = Math.Max(request.Ttl, MinimumTtl);
        return ExecuteAsync(
            static (store, s) =>
            {
                var id = s.Request.Id;
                while (id == 0 || (s.Request.Id == 0 && store.TryGetLease(id, out _)))
                {
                    id = RandomLeaseId();
                }

                var result = store.LeaseGrant(id, s.Ttl);
                if (result.IsOk)
                {
                    s.Lessor.Renew(id, s.Ttl);
                }

                return result;
            },
            (Request: request, Ttl: ttl, Lessor),
            static r => r.Header,
            true,
            cancellationToken);
    }

    /// <summary>Revokes a lease and deletes its keys at one revision (SPEC §5.2).</summary>
    /// <param name="request">The request.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<LeaseRevokeResponse> LeaseRevokeAsync(LeaseRevokeRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfStopping();
        return ExecuteAsync(
            static (store, s) =>
            {
                var result = store.LeaseRevoke(s.Id);
                s.Lessor.Forget(s.Id);
                return result;
            },
            (request.Id, Lessor),
            static r => r.Header,
            true,
            cancellationToken);
    }

    /// <summary>
    /// Renews a lease (SPEC §5.3). TTL 0 in the answer means the lease is gone; an expired lease is
    /// never revived: its revoke is applied first.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<LeaseKeepAliveResponse> LeaseKeepAliveAsync(LeaseKeepAliveRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfStopping();
        return ExecuteAsync(
            static (store, s) =>
            {
                var response = new LeaseKeepAliveResponse { Id = s.Id, Header = new ResponseHeader { Revision = store.Revision } };
                if (!store.TryGetLease(s.Id, out var granted))
                {
                    return MvccResult<LeaseKeepAliveResponse>.Ok(response);
                }

                if (s.Lessor.IsExpired(s.Id))
                {
                    store.LeaseRevoke(s.Id);
                    s.Lessor.Forget(s.Id);
                    response.Header.Revision = store.Revision;
                    return MvccResult<LeaseKeepAliveResponse>.Ok(response);
                }

                s.Lessor.Renew(s.Id, granted);
                response.Ttl = granted;
                return MvccResult<LeaseKeepAliveResponse>.Ok(response);
            },
            (request.Id, Lessor),
            static r => r.Header,
            false,
            cancellationToken);
    }

    /// <summary>A lease's remaining and granted TTL and, on request, its keys (SPEC §5.4).</summary>
    /// <param name="request">The request.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(LeaseTimeToLiveRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfStopping();
        return ExecuteAsync(
            static (store, s) =>
            {
                var response = new LeaseTimeToLiveResponse { Id = s.Request.Id, Header = new ResponseHeader { Revision = store.Revision } };
                if (!store.TryGetLease(s.Request.Id, out var granted))
                {
                    response.Ttl = -1;
                    return MvccResult<LeaseTimeToLiveResponse>.Ok(response);
                }

                response.Ttl = s.Lessor.RemainingSeconds(s.Request.Id);
                response.GrantedTtl = granted;
                if (s.Request.Keys)
                {
                    response.Keys = store.GetLeaseKeys(s.Request.Id);
                }

                return MvccResult<LeaseTimeToLiveResponse>.Ok(response);
            },
            (Request: request, Lessor),
            static r => r.Header,
            false,
            cancellationToken);
    }

    /// <summary>Every lease, ascending by ID (SPEC §5.5).</summary>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<LeaseLeasesResponse> LeaseLeasesAsync(RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ThrowIfStopping();
        return ExecuteAsync(
            static (store, _) =>
            {
                var ids = store.GetLeaseIds();
                var leases = new LeaseStatus[ids.Count];
                for (var i = 0; i < leases.Length; i++)
                {
                    leases[i] = new LeaseStatus { Id = ids[i] };
                }

                return MvccResult<LeaseLeasesResponse>.Ok(new LeaseLeasesResponse { Header = new ResponseHeader { Revision = store.Revision }, Leases = leases });
            },
            0,
            static r => r.Header,
            false,
            cancellationToken);
    }

    /// <summary>Revokes every lease whose deadline has passed; the leader runs this at least every 500 ms (SPEC §8.6).</summary>
    /// <remarks>
    /// One revoke per loop operation, as one log entry each will be once replicated: every revoke
    /// has its own revision and its events reach watches before the next one runs.
    /// </remarks>
    internal async Task RevokeExpiredLeasesAsync(CancellationToken cancellationToken)
    {
        var expired = await Loop.ExecuteAsync(static (_, lessor) => lessor.Expired(), Lessor, false, cancellationToken).ConfigureAwait(false);
        foreach (var id in expired)
        {
            await Loop.ExecuteAsync(
                static (store, s) =>
                {
                    // Renewed since the list was taken? Then it lives on.
                    if (s.Lessor.IsExpired(s.Id))
                    {
                        store.LeaseRevoke(s.Id);
                        s.Lessor.Forget(s.Id);
                    }

                    return 0;
                },
                (Id: id, Lessor),
                true,
                cancellationToken).ConfigureAwait(false);
        }
    }

    private static long RandomLeaseId()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return (long)(BitConverter.ToUInt64(bytes) >> 1);
    }
}
