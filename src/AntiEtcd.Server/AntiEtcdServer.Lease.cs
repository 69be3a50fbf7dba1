using System.Security.Cryptography;
using AntiEtcd.Api;
using AntiEtcd.Mvcc;
using AntiEtcd.Server.Cluster;
using AntiEtcd.Server.Hosting;
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
    public async Task<LeaseGrantResponse> LeaseGrantAsync(LeaseGrantRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfStopping();
        Check(RequestValidator.ValidateLeaseGrant(request));
        // Everything apply needs is decided before logging (SPEC §8.8): the effective TTL and,
        // for ID 0, a random ID. If that ID turns out to be in use when applied, the grant had no
        // effect and is proposed again with a new one: a client never sees "already exists" for 0.
        var ttl = Math.Max(request.Ttl, MinimumTtl);
        while (true)
        {
            var id = request.Id != 0 ? request.Id : RandomLeaseId();
            try
            {
                return await ProposeAsync(new Command { Type = CommandType.LeaseGrant, LeaseId = id, Ttl = ttl }, static (LeaseGrantResponse r) => r.Header, context, cancellationToken).ConfigureAwait(false);
            }
            catch (AntiEtcdRequestException ex) when (request.Id == 0 && ex.GrpcCode == 9)
            {
            }
        }
    }

    /// <summary>Revokes a lease and deletes its keys at one revision (SPEC §5.2).</summary>
    /// <param name="request">The request.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<LeaseRevokeResponse> LeaseRevokeAsync(LeaseRevokeRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfStopping();
        return ProposeAsync(new Command { Type = CommandType.LeaseRevoke, LeaseId = request.Id }, static (LeaseRevokeResponse r) => r.Header, context, cancellationToken);
    }

    /// <summary>
    /// Renews a lease (SPEC §5.3). TTL 0 in the answer means the lease is gone; an expired lease is
    /// never revived: its revoke is applied first.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task<LeaseKeepAliveResponse> LeaseKeepAliveAsync(LeaseKeepAliveRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfStopping();
        await WaitForImportAsync(cancellationToken).ConfigureAwait(false);
        if (!IsClusterMode)
        {
            return await LocalKeepAliveAsync(request, context, cancellationToken).ConfigureAwait(false);
        }

        var response = await LeaseOnLeaderAsync(
            ForwardKind.KeepAlive, request.Id, false, ct => LocalKeepAliveAsync(request, context, ct), Client.ApiResponseReader.ReadLeaseKeepAliveResponse, context, cancellationToken).ConfigureAwait(false);
        FillHeader(response.Header);
        return response;
    }

    /// <summary>A keepalive answered by this node, which is the leader (or a one-node cluster).</summary>
    private async Task<LeaseKeepAliveResponse> LocalKeepAliveAsync(LeaseKeepAliveRequest request, RequestContext? context, CancellationToken cancellationToken)
    {
        var (response, expired) = await Loop.ExecuteAsync(
            static (store, s) =>
            {
                var response = new LeaseKeepAliveResponse { Id = s.Id, Header = new ResponseHeader { Revision = store.Revision } };
                if (!store.TryGetLease(s.Id, out var granted))
                {
                    return (response, false);
                }

                if (s.Lessor.IsExpired(s.Id))
                {
                    return (response, true);
                }

                s.Lessor.Renew(s.Id, granted);
                response.Ttl = granted;
                return (response, false);
            },
            (request.Id, Lessor),
            false,
            cancellationToken,
            LeaderReadyIndex).ConfigureAwait(false);
        if (expired)
        {
            // The deadline passed: answer only once the revoke is applied, so TTL 0 always means
            // the lease is gone (an earlier revoke by the expiry check is just as good).
            try
            {
                var revoke = await LeaseRevokeAsync(new LeaseRevokeRequest { Id = request.Id }, context, cancellationToken).ConfigureAwait(false);
                response.Header = revoke.Header;
                return response;
            }
            catch (AntiEtcdRequestException ex) when (ex.Code == 404)
            {
                response.Header.Revision = Applied.Revision;
            }
        }

        await ConfirmLeadershipAsync(cancellationToken).ConfigureAwait(false);
        FillHeader(response.Header);
        return response;
    }

    /// <summary>
    /// On a cluster leader, after renewing or reading a deadline: a heartbeat quorum (a read index) proves that no
    /// newer leader existed when the deadline was set, so the next leader's refreshed deadline (SPEC §8.6) is later
    /// than the one promised here. Without it, a deposed leader that has not noticed yet could promise a lease a
    /// newer leader expires first.
    /// </summary>
    private async Task ConfirmLeadershipAsync(CancellationToken cancellationToken)
    {
        if (!IsClusterMode || _raft is null)
        {
            return;
        }

        try
        {
            await _raft.ReadIndexAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NoLeaderException)
        {
            throw EtcdErrors.ReadTimedOut();
        }
    }

    /// <summary>A lease's remaining and granted TTL and, on request, its keys (SPEC §5.4).</summary>
    /// <param name="request">The request.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(LeaseTimeToLiveRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfStopping();
        await WaitForImportAsync(cancellationToken).ConfigureAwait(false);
        if (!IsClusterMode)
        {
            return await LocalTimeToLiveAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var response = await LeaseOnLeaderAsync(
            ForwardKind.TimeToLive, request.Id, request.Keys, ct => LocalTimeToLiveAsync(request, ct), Client.ApiResponseReader.ReadLeaseTimeToLiveResponse, context, cancellationToken).ConfigureAwait(false);
        FillHeader(response.Header);
        return response;
    }

    /// <summary>A time-to-live answered from this node's deadlines: it is the leader (or a one-node cluster).</summary>
    private async Task<LeaseTimeToLiveResponse> LocalTimeToLiveAsync(LeaseTimeToLiveRequest request, CancellationToken cancellationToken)
    {
        var response = await Loop.ExecuteAsync(
            static (store, s) =>
            {
                var response = new LeaseTimeToLiveResponse { Id = s.Request.Id, Header = new ResponseHeader { Revision = store.Revision } };
                if (!store.TryGetLease(s.Request.Id, out var granted))
                {
                    response.Ttl = -1;
                    return response;
                }

                response.Ttl = s.Lessor.RemainingSeconds(s.Request.Id);
                response.GrantedTtl = granted;
                if (s.Request.Keys)
                {
                    response.Keys = store.GetLeaseKeys(s.Request.Id);
                }

                return response;
            },
            (Request: request, Lessor),
            false,
            cancellationToken,
            LeaderReadyIndex).ConfigureAwait(false);
        await ConfirmLeadershipAsync(cancellationToken).ConfigureAwait(false);
        FillHeader(response.Header);
        return response;
    }

    /// <summary>Every lease, ascending by ID (SPEC §5.5).</summary>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public Task<LeaseLeasesResponse> LeaseLeasesAsync(RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ThrowIfStopping();
        return ReadAsync(
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
            context,
            cancellationToken);
    }

    /// <summary>Revokes every lease whose deadline has passed; the leader runs this at least every 500 ms (SPEC §8.6).</summary>
    /// <remarks>
    /// Each revoke is its own log entry with its own revision. Apply does not look at the clock
    /// (SPEC §8.8); a keepalive after the deadline cannot renew, so the decision taken here stands.
    /// </remarks>
    internal async Task RevokeExpiredLeasesAsync(CancellationToken cancellationToken)
    {
        if (IsClusterMode && !IsReadyLeader())
        {
            // Only the leader decides expiry, once it has applied everything before its term (SPEC §8.6).
            return;
        }

        var expired = await Loop.ExecuteAsync(static (_, lessor) => lessor.Expired(), Lessor, false, cancellationToken).ConfigureAwait(false);
        foreach (var id in expired)
        {
            try
            {
                await LeaseRevokeAsync(new LeaseRevokeRequest { Id = id }, null, cancellationToken).ConfigureAwait(false);
            }
            catch (AntiEtcdRequestException ex) when (ex.Code == 404)
            {
                // Revoked meanwhile (by a client or a late keepalive).
            }
        }
    }

    /// <summary>The applied index lease answers wait for on a cluster leader (readiness L); 0 elsewhere.</summary>
    private ulong LeaderReadyIndex => IsClusterMode && _raft is { } raft ? raft.Status.LeaderReadyIndex : 0;

    private static long RandomLeaseId()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return (long)(BitConverter.ToUInt64(bytes) >> 1);
    }
}
