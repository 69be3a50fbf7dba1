using System.Security.Cryptography;
using AntiEtcd.Api;
using AntiEtcd.Mvcc;
using AntiEtcd.Server.Cluster;
using AntiEtcd.Server.Node;
using CoreRole = AntiEtcd.Raft.RaftRole;

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
        await WaitForImportAsync(context?.NoWaitQuorum == true, cancellationToken).ConfigureAwait(false);
        if (!IsClusterMode)
        {
            return await LocalKeepAliveAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var response = await LeaseOnLeaderAsync(
            ForwardKind.KeepAlive, request.Id, false, ct => LocalKeepAliveAsync(request, ct), Client.ApiResponseReader.ReadLeaseKeepAliveResponse, context, cancellationToken).ConfigureAwait(false);
        FillHeader(response.Header);
        return response;
    }

    /// <summary>
    /// A keepalive answered by this node, which is the leader (or a one-node cluster). Throws
    /// <see cref="LeadershipLostException"/> when the node stops leading before the answer is confirmed.
    /// </summary>
    private async Task<LeaseKeepAliveResponse> LocalKeepAliveAsync(LeaseKeepAliveRequest request, CancellationToken cancellationToken)
    {
        var term = LeadingTerm();
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
            // the lease is gone (an earlier revoke by the expiry check is just as good). Expiry was
            // decided from this leader's deadlines, so only this leader may propose it: forwarded to a
            // newer leader, it would revoke a lease that leader has kept alive (SPEC §8.6).
            ThrowIfNotLeading(term);
            try
            {
                var revoke = await LeaseRevokeAsync(new LeaseRevokeRequest { Id = request.Id }, LeaderDecision(term), cancellationToken).ConfigureAwait(false);
                response.Header = revoke.Header;
                return response;
            }
            catch (AntiEtcdRequestException ex) when (ex.Code == 404)
            {
                response.Header.Revision = Applied.Revision;
            }
        }

        await ConfirmLeadershipAsync(term, cancellationToken).ConfigureAwait(false);
        FillHeader(response.Header);
        return response;
    }

    /// <summary>
    /// On a cluster leader, after renewing or reading a deadline in <paramref name="term"/>: a heartbeat quorum of
    /// that term (a read index) proves that no newer leader existed when the deadline was set, so the next leader's
    /// refreshed deadline (SPEC §8.6) is later than the one promised here. Without it, a deposed leader that has not
    /// noticed yet could promise a lease a newer leader expires first.
    /// </summary>
    /// <remarks>
    /// The read index alone is not enough: when this node steps down while the read is pending, the Raft loop asks
    /// the new leader instead, whose quorum confirms the new leader, not the deadline set here. A leader paused by
    /// SIGSTOP hits exactly this: it renews from its stale deadlines on resume, learns of the newer term a few
    /// milliseconds later, and the read completes on the new leader (Jepsen lease/pause seed 302). So the node must
    /// still lead in <paramref name="term"/> once the read completes; a node leads in one term at most once, so it
    /// led throughout and the quorum was its own.
    /// </remarks>
    private async Task ConfirmLeadershipAsync(ulong term, CancellationToken cancellationToken)
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
            // This node led in term and now knows no leader: it stepped down.
            throw new LeadershipLostException();
        }

        ThrowIfNotLeading(term);
    }

    /// <summary>The term this node leads in now; 0 outside cluster mode. Throws <see cref="LeadershipLostException"/> on a non-leader.</summary>
    private ulong LeadingTerm()
    {
        if (!IsClusterMode || _raft is null)
        {
            return 0;
        }

        var status = _raft.Status;
        return status.Role == CoreRole.Leader ? status.Term : throw new LeadershipLostException();
    }

    /// <summary>Throws <see cref="LeadershipLostException"/> unless this node still leads in <paramref name="term"/>.</summary>
    private void ThrowIfNotLeading(ulong term)
    {
        if (!LeadsIn(term))
        {
            throw new LeadershipLostException();
        }
    }

    /// <summary>True outside cluster mode, and on a cluster node that leads in <paramref name="term"/>.</summary>
    private bool LeadsIn(ulong term)
    {
        if (!IsClusterMode || _raft is null)
        {
            return true;
        }

        var status = _raft.Status;
        return status.Role == CoreRole.Leader && status.Term == term;
    }

    /// <summary>
    /// The context of a revoke this leader decided from its own deadlines in <paramref name="term"/>: leader-only, so it
    /// is proposed here and never forwarded to another leader (whose deadlines may be later), only while the node is
    /// still in that term (checked by the Raft loop as it proposes: not even a deposition and re-election of this node
    /// can come in between), and without waiting for readiness.
    /// </summary>
    private static RequestContext LeaderDecision(ulong term) => new() { LeaderOnly = true, NoWaitQuorum = true, RequiredTerm = term };

    /// <summary>A lease's remaining and granted TTL and, on request, its keys (SPEC §5.4).</summary>
    /// <param name="request">The request.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(LeaseTimeToLiveRequest request, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfStopping();
        await WaitForImportAsync(context?.NoWaitQuorum == true, cancellationToken).ConfigureAwait(false);
        if (!IsClusterMode)
        {
            return await LocalTimeToLiveAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var response = await LeaseOnLeaderAsync(
            ForwardKind.TimeToLive, request.Id, request.Keys, ct => LocalTimeToLiveAsync(request, ct), Client.ApiResponseReader.ReadLeaseTimeToLiveResponse, context, cancellationToken).ConfigureAwait(false);
        FillHeader(response.Header);
        return response;
    }

    /// <summary>
    /// A time-to-live answered from this node's deadlines: it is the leader (or a one-node cluster). Throws
    /// <see cref="LeadershipLostException"/> when the node stops leading before the answer is confirmed.
    /// </summary>
    private async Task<LeaseTimeToLiveResponse> LocalTimeToLiveAsync(LeaseTimeToLiveRequest request, CancellationToken cancellationToken)
    {
        var term = LeadingTerm();
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
        await ConfirmLeadershipAsync(term, cancellationToken).ConfigureAwait(false);
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
        // Read before the readiness check: a term that changes in between only makes the loop below stop early.
        var term = _raft?.Status.Term ?? 0;
        if (IsClusterMode && !IsReadyLeader())
        {
            // Only the leader decides expiry, once it has applied everything before its term (SPEC §8.6).
            return;
        }

        var expired = await Loop.ExecuteAsync(static (_, lessor) => lessor.Expired(), Lessor, false, cancellationToken).ConfigureAwait(false);
        var context = IsClusterMode ? LeaderDecision(term) : null;
        foreach (var id in expired)
        {
            if (!LeadsIn(term))
            {
                // Deposed while revoking (a resumed leader learns of the newer term only now): these deadlines are
                // this term's, and the new leader has refreshed its own; it decides from those.
                return;
            }

            try
            {
                await LeaseRevokeAsync(new LeaseRevokeRequest { Id = id }, context, cancellationToken).ConfigureAwait(false);
            }
            catch (LeadershipLostException)
            {
                // Not proposed in the term that decided it (deposed, a leadership transfer, the node stopping): nothing
                // was written, and whoever leads at the next check decides again from its own deadlines.
                return;
            }
            catch (AntiEtcdRequestException) when (!LeadsIn(term))
            {
                // Deposed during the revoke ("not leader", or its entry lost with the term): expected, not a failure
                // of the check; whatever the outcome, the new leader decides from its own deadlines.
                return;
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
