using AntiEtcd.Api;
using AntiEtcd.Client;
using AntiEtcd.Mvcc;
using AntiEtcd.Raft;
using AntiEtcd.Server.Cluster;
using AntiEtcd.Server.Hosting;
using AntiEtcd.Server.Node;
using CoreRole = AntiEtcd.Raft.RaftRole;

namespace AntiEtcd.Server;

/// <summary>
/// Request routing on a cluster node (SPEC §8.4, §8.5): readiness, proposing on the leader, forwarding from a follower,
/// read index, and the choice among the 503s U1-U9.
/// </summary>
public sealed partial class AntiEtcdServer
{
    private NodeId LocalMember => _membership!.Local.Id;

    private long After(long from, int milliseconds) => from + (long)(milliseconds / 1000.0 * _time.TimestampFrequency);

    private TimeSpan Remaining(long deadline)
    {
        var left = deadline - _time.GetTimestamp();
        return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(left / (double)_time.TimestampFrequency);
    }

    private long ReadinessDeadline(long arrival, RequestContext? context) =>
        context?.NoWaitQuorum == true ? arrival : After(arrival, _options.WaitQuorumTimeout);

    /// <summary>
    /// Readiness W (SPEC §8.4): a leader is known and, on a follower, its outgoing connection to the leader is
    /// authenticated. Returns the leader; at the deadline throws U1, U3 or U4.
    /// </summary>
    private async Task<NodeId> WaitWritableAsync(long deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _readinessChanged).Task;
            ThrowIfStopping();
            var status = _raft!.Status;
            var leader = status.Leader;
            if (!leader.IsNone && (leader == LocalMember ? status.Role == CoreRole.Leader && LeaderMayPropose(status.Term) : _connectedPeers.ContainsKey(leader)))
            {
                return leader;
            }

            var remaining = Remaining(deadline);
            if (remaining <= TimeSpan.Zero)
            {
                throw leader.IsNone ? EtcdErrors.NoLeader() : leader == LocalMember ? EtcdErrors.NotReady() : EtcdErrors.LeaderUnreachable();
            }

            await WaitSignalAsync(signal, remaining, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After a "not leader" refusal: waits, within the outcome deadline and without waiting for readiness again
    /// (SPEC §8.4), for a usable leader other than <paramref name="refused"/>. Null when none appears in time.
    /// </summary>
    private async Task<NodeId?> WaitOtherLeaderAsync(NodeId refused, ulong refusedTerm, long deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _readinessChanged).Task;
            ThrowIfStopping();
            var status = _raft!.Status;
            var leader = status.Leader;
            var usable = !leader.IsNone && (leader == LocalMember ? status.Role == CoreRole.Leader && LeaderMayPropose(status.Term) : _connectedPeers.ContainsKey(leader));
            if (usable && (leader != refused || status.Term > refusedTerm))
            {
                return leader;
            }

            var remaining = Remaining(deadline);
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            await WaitSignalAsync(signal, remaining, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitSignalAsync(Task signal, TimeSpan remaining, CancellationToken cancellationToken)
    {
        try
        {
            await signal.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    /// <summary>A write on a cluster node (SPEC §8.4, §8.5): proposed on the leader, forwarded from a follower.</summary>
    private async Task<(MvccStatus Status, object? Response, long CompactRevision)> ClusterProposeAsync(Command command, RequestContext? context, CancellationToken cancellationToken)
    {
        var arrival = _time.GetTimestamp();
        var leaderOnly = context?.LeaderOnly == true;
        if (leaderOnly && _raft!.Status.Role != CoreRole.Leader)
        {
            throw EtcdErrors.NotLeader();
        }

        byte[] encoded;
        try
        {
            encoded = CommandCodec.EncodeToArray(command);
        }
        catch (ArgumentException)
        {
            throw EtcdErrors.FromStatus(MvccStatus.TooManyOperations, 0);
        }

        var leader = await WaitWritableAsync(ReadinessDeadline(arrival, context), cancellationToken).ConfigureAwait(false);
        var outcomeDeadline = After(_time.GetTimestamp(), leader == LocalMember ? _options.ReplicationTimeout : _options.ForwardTimeout);
        while (true)
        {
            if (leaderOnly && leader != LocalMember)
            {
                throw EtcdErrors.NotLeader();
            }

            if (leader == LocalMember)
            {
                var proposal = new Proposal(encoded) { RequiredTerm = context?.RequiredTerm ?? 0 };
                _raft!.Propose(proposal);
                if (await AwaitProposalAsync(proposal, outcomeDeadline, cancellationToken).ConfigureAwait(false) is { } applied)
                {
                    return applied;
                }

                if (proposal.RequiredTerm != 0)
                {
                    // Decided in a term that is over: whoever leads now decides again from its own state.
                    throw new LeadershipLostException();
                }

                // Not proposed: safe to send to whoever leads now.
                leader = await WaitOtherLeaderAsync(LocalMember, _raft.Status.Term, outcomeDeadline, cancellationToken).ConfigureAwait(false)
                    ?? throw EtcdErrors.LeaderChanged();
                continue;
            }

            var term = _raft!.Status.Term;
            var reply = await ForwardWriteAsync(leader, encoded, outcomeDeadline, cancellationToken).ConfigureAwait(false);
            switch (reply.Status)
            {
                case ForwardStatus.NotLeader:
                    leader = await WaitOtherLeaderAsync(leader, term, outcomeDeadline, cancellationToken).ConfigureAwait(false)
                        ?? throw EtcdErrors.LeaderChanged();
                    continue;
                case ForwardStatus.Error:
                    throw ErrorOf(reply);
                default:
                    return await AwaitForwardedAsync(command.Type, reply, outcomeDeadline, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// On the leader: waits until the proposal is applied here; at the deadline U6, or U7 if leadership was lost. Null when
    /// it was not proposed (this node no longer leads): nothing was written, so it may go to whoever leads now.
    /// </summary>
    private async Task<(MvccStatus Status, object? Response, long CompactRevision)?> AwaitProposalAsync(Proposal proposal, long deadline, CancellationToken cancellationToken)
    {
        ApplyOutcome outcome;
        try
        {
            outcome = await proposal.Completion.Task.WaitAsync(Remaining(deadline), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var status = _raft!.Status;
            var term = proposal.Term;
            throw term != 0 && (status.Role != CoreRole.Leader || status.Term != term) ? EtcdErrors.WriteTimedOutLeaderFailure() : EtcdErrors.WriteTimedOut();
        }

        return outcome.Kind switch
        {
            ApplyOutcomeKind.Applied => (outcome.Status, outcome.Response, outcome.CompactRevision),
            ApplyOutcomeKind.NotProposed => null,
            _ => throw EtcdErrors.WriteTimedOutLeaderFailure(),
        };
    }

    /// <summary>
    /// On a follower, after the leader applied a forwarded write: answers once the write is applied here too (so a later
    /// serializable read here sees it, SPEC §8.5), or at the deadline with the leader's result.
    /// </summary>
    private async Task<(MvccStatus Status, object? Response, long CompactRevision)> AwaitForwardedAsync(CommandType type, ForwardReply reply, long deadline, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await _tracker!.WaitAsync(reply.Index, reply.Term).WaitAsync(Remaining(deadline), _time, cancellationToken).ConfigureAwait(false);
            if (outcome.Kind == ApplyOutcomeKind.Applied)
            {
                return (outcome.Status, outcome.Response, outcome.CompactRevision);
            }
        }
        catch (TimeoutException)
        {
        }

        object response = type switch
        {
            CommandType.Put => ApiResponseReader.ReadPutResponse(reply.Body),
            CommandType.DeleteRange => ApiResponseReader.ReadDeleteRangeResponse(reply.Body),
            CommandType.Txn => ApiResponseReader.ReadTxnResponse(reply.Body),
            CommandType.LeaseGrant => ApiResponseReader.ReadLeaseGrantResponse(reply.Body),
            CommandType.LeaseRevoke => ApiResponseReader.ReadLeaseRevokeResponse(reply.Body),
            CommandType.Import => ImportOutcomeJson.Decode(reply.Body),
            _ => new CompactionResponse { Header = new ResponseHeader() },
        };
        return (MvccStatus.Ok, response, 0);
    }

    private static AntiEtcdRequestException ErrorOf(ForwardReply reply) =>
        new(reply.HttpStatus, reply.GrpcCode, System.Text.Encoding.UTF8.GetString(reply.Body.Span));

    /// <summary>
    /// A local read (SPEC §8.5): serializable reads need readiness L; linearizable ones a read index from the leader.
    /// Returns the applied index the read must wait for, and the deadline for that wait, with the error to give at it.
    /// </summary>
    private async Task<(ulong MinIndex, long Deadline, bool Linearizable)> ReadBarrierAsync(bool serializable, RequestContext? context, CancellationToken cancellationToken)
    {
        var arrival = _time.GetTimestamp();
        if (context?.LeaderOnly == true && _raft!.Status.Role != CoreRole.Leader)
        {
            throw EtcdErrors.NotLeader();
        }

        var readinessDeadline = ReadinessDeadline(arrival, context);
        if (serializable || _options.StaleRead || context?.Serializable == true)
        {
            return (await LocalReadyIndexAsync(readinessDeadline, cancellationToken).ConfigureAwait(false), readinessDeadline, false);
        }

        // A linearizable read is served here too: it needs a complete state as much as a local one (SPEC §8.4).
        await WaitCompleteAsync(readinessDeadline, cancellationToken).ConfigureAwait(false);

        var leader = await WaitWritableAsync(readinessDeadline, cancellationToken).ConfigureAwait(false);
        var outcomeDeadline = After(_time.GetTimestamp(), leader == LocalMember ? _options.ReplicationTimeout : _options.ForwardTimeout);
        while (true)
        {
            try
            {
                var index = await _raft!.ReadIndexAsync().WaitAsync(Remaining(outcomeDeadline), _time, cancellationToken).ConfigureAwait(false);
                return (index, outcomeDeadline, true);
            }
            catch (TimeoutException)
            {
                throw EtcdErrors.ReadTimedOut();
            }
            catch (ObjectDisposedException)
            {
                // The Raft loop stopped with the node while the read waited: nothing was read, so "not executed" holds.
                throw EtcdErrors.Stopping();
            }
            catch (NoLeaderException)
            {
                if (await WaitOtherLeaderAsync(default, 0, outcomeDeadline, cancellationToken).ConfigureAwait(false) is null)
                {
                    throw EtcdErrors.ReadTimedOut();
                }
            }
        }
    }

    /// <summary>
    /// Readiness L (SPEC §8.4): the applied index that makes this node's state current enough: on a leader its term's
    /// no-op, on a follower the commit index it learnt when it joined the leader's term. A node that never had a
    /// leader waits for one until the readiness deadline (U1).
    /// </summary>
    private async Task<ulong> LocalReadyIndexAsync(long deadline, CancellationToken cancellationToken)
    {
        await WaitCompleteAsync(deadline, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var signal = Volatile.Read(ref _readinessChanged).Task;
            ThrowIfStopping();
            var status = _raft!.Status;
            if (status.Role == CoreRole.Leader)
            {
                return status.LeaderReadyIndex;
            }

            if (_joined)
            {
                // Stays L without a leader too: a partitioned follower keeps serving serializable reads (SPEC §8.4).
                return Volatile.Read(ref _joinIndex);
            }

            var remaining = Remaining(deadline);
            if (remaining <= TimeSpan.Zero)
            {
                throw status.Leader.IsNone ? EtcdErrors.NoLeader() : EtcdErrors.NotReady();
            }

            await WaitSignalAsync(signal, remaining, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// GET /health (SPEC §6.2): null when the node is ready for linearizable reads (L and W, confirmed by a read index
    /// within 1 s), or with <paramref name="serializable"/> for local reads (L) with a leader known; otherwise the reason.
    /// Never waits for readiness: a load balancer asks now.
    /// </summary>
    internal async Task<string?> HealthProblemAsync(bool serializable, CancellationToken cancellationToken)
    {
        if (RaftState.LeaderNodeId is null)
        {
            return Reason(EtcdErrors.NoLeader());
        }

        if (ImportState == "pending")
        {
            // No request kind is ready until the import's outcome is known (SPEC §8.4, §9.6).
            return "etcdserver: not ready (import_antietcd pending)";
        }

        if (!IsClusterMode)
        {
            // A one-node cluster that runs leads, and is ready for every kind of read.
            return null;
        }

        var now = _time.GetTimestamp();
        try
        {
            var ready = await LocalReadyIndexAsync(now, cancellationToken).ConfigureAwait(false);
            if (Applied.AppliedIndex < ready)
            {
                return Reason(EtcdErrors.NotReady());
            }

            if (serializable)
            {
                return _raft!.Status.Leader.IsNone ? Reason(EtcdErrors.NoLeader()) : null;
            }

            await WaitWritableAsync(now, cancellationToken).ConfigureAwait(false);
            await _raft!.ReadIndexAsync().WaitAsync(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (AntiEtcdRequestException ex) when (ex.Code == 503)
        {
            return Reason(ex);
        }
        catch (NoLeaderException)
        {
            return Reason(EtcdErrors.NoLeader());
        }
        catch (TimeoutException)
        {
            return Reason(EtcdErrors.ReadTimedOut());
        }
        catch (ObjectDisposedException)
        {
            // The Raft loop stopped with the node while the check waited for its read index.
            return Reason(EtcdErrors.Stopping());
        }

        // The §3.6 message without its retry suffix: /health reports why, not what to do.
        static string Reason(AntiEtcdRequestException error) =>
            error.Message.EndsWith(EtcdErrors.NotExecuted, StringComparison.Ordinal) ? error.Message[..^EtcdErrors.NotExecuted.Length] : error.Message;
    }

    /// <summary>Runs a read on the apply loop once the barrier's index is applied; at the deadline U9 (linearizable) or U3.</summary>
    private async Task<TResult> ReadAfterAsync<TState, TResult>(Func<MvccStore, TState, TResult> function, TState state, bool serializable, RequestContext? context, CancellationToken cancellationToken)
    {
        var (index, deadline, linearizable) = await ReadBarrierAsync(serializable, context, cancellationToken).ConfigureAwait(false);
        var operation = new StoreOperation<TState, TResult>(function, state) { MinAppliedIndex = index };
        Loop.Enqueue(operation);
        try
        {
            return await operation.Task.WaitAsync(Remaining(deadline), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw linearizable ? EtcdErrors.ReadTimedOut() : EtcdErrors.NotReady();
        }
    }

    /// <summary>Whether this node leads, has applied its term's no-op (the lease checks of SPEC §8.6 need it) and is complete (SPEC §9.4).</summary>
    private bool IsReadyLeader() =>
        _raft is { } raft && raft.Status.Role == CoreRole.Leader && Applied.AppliedIndex >= raft.Status.LeaderReadyIndex && !_incomplete;
}
