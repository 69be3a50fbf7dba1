using System.Collections.Concurrent;
using System.Text;
using AntiEtcd.Api;
using AntiEtcd.Api.Json;
using AntiEtcd.Mvcc;
using AntiEtcd.Raft;
using AntiEtcd.Server.Cluster;
using AntiEtcd.Server.Hosting;
using AntiEtcd.Server.Node;
using CoreRole = AntiEtcd.Raft.RaftRole;

namespace AntiEtcd.Server;

/// <summary>
/// Forwarding (SPEC §8.5): a follower sends writes, keepalives and time-to-live requests to the leader on its own
/// outgoing peer connection; the leader executes them and replies on that connection.
/// </summary>
public sealed partial class AntiEtcdServer
{
    private readonly ConcurrentDictionary<ulong, PendingForward> _forwards = new();
    private long _nextForwardId;

    /// <summary>Forwarded requests handed to a connection and still waiting for their reply; for tests.</summary>
    internal int ForwardsSent => _forwards.Values.Count(static p => p.ConnectionId != 0);

    /// <summary>Forwards a write; throws U4 if it could not be sent, U8 if the connection broke after, U6 at the deadline.</summary>
    private async Task<ForwardReply> ForwardWriteAsync(NodeId leader, byte[] command, long deadline, CancellationToken cancellationToken)
    {
        try
        {
            return await ForwardAsync(leader, ForwardKind.Command, command, 0, false, deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (ForwardNotSentException)
        {
            throw EtcdErrors.LeaderUnreachable();
        }
        catch (ForwardConnectionLostException)
        {
            throw EtcdErrors.WriteTimedOutConnectionLost();
        }
        catch (TimeoutException)
        {
            throw EtcdErrors.WriteTimedOut();
        }
    }

    /// <summary>
    /// A keepalive or time-to-live on a cluster node (SPEC §5.3, §8.5): answered by the leader once it is ready, from
    /// its lease deadlines; a follower forwards it. Errors are never "outcome unknown": these are safe to retry.
    /// </summary>
    private async Task<TResponse> LeaseOnLeaderAsync<TResponse>(ForwardKind kind, long leaseId, bool keys, Func<CancellationToken, Task<TResponse>> local, Func<ReadOnlyMemory<byte>, TResponse> decode, RequestContext? context, CancellationToken cancellationToken)
    {
        var arrival = _time.GetTimestamp();
        if (context?.LeaderOnly == true && _raft!.Status.Role != CoreRole.Leader)
        {
            throw EtcdErrors.NotLeader();
        }

        var leader = await WaitWritableAsync(ReadinessDeadline(arrival, context), cancellationToken).ConfigureAwait(false);
        var deadline = After(_time.GetTimestamp(), leader == LocalMember ? _options.ReplicationTimeout : _options.ForwardTimeout);
        while (true)
        {
            if (leader == LocalMember)
            {
                var localTerm = _raft!.Status.Term;
                using var timeout = new CancellationTokenSource(Remaining(deadline), _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
                try
                {
                    return await local(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw EtcdErrors.ReadTimedOut();
                }
                catch (LeadershipLostException) when (context?.LeaderOnly == true)
                {
                    throw EtcdErrors.NotLeader();
                }
                catch (LeadershipLostException)
                {
                    // Deposed before the answer was confirmed: nothing was promised, so ask whoever leads now, whose
                    // deadlines are the ones that count.
                    leader = await WaitOtherLeaderAsync(LocalMember, localTerm, deadline, cancellationToken).ConfigureAwait(false) ?? throw EtcdErrors.LeaderChanged();
                    continue;
                }
            }

            var term = _raft!.Status.Term;
            ForwardReply reply;
            try
            {
                reply = await ForwardAsync(leader, kind, default, leaseId, keys, deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (ForwardNotSentException)
            {
                throw EtcdErrors.LeaderUnreachable();
            }
            catch (Exception ex) when (ex is ForwardConnectionLostException or TimeoutException)
            {
                throw EtcdErrors.ReadTimedOut();
            }

            switch (reply.Status)
            {
                case ForwardStatus.NotLeader:
                    leader = await WaitOtherLeaderAsync(leader, term, deadline, cancellationToken).ConfigureAwait(false) ?? throw EtcdErrors.LeaderChanged();
                    continue;
                case ForwardStatus.Error:
                    throw ErrorOf(reply);
                default:
                    return decode(reply.Body);
            }
        }
    }

    /// <summary>Sends one forwarded request and waits for its reply until <paramref name="deadline"/>.</summary>
    private async Task<ForwardReply> ForwardAsync(NodeId leader, ForwardKind kind, byte[]? command, long leaseId, bool keys, long deadline, CancellationToken cancellationToken)
    {
        var id = (ulong)Interlocked.Increment(ref _nextForwardId);
        var remaining = Remaining(deadline);
        var request = new ForwardRequest(id, (uint)Math.Min(uint.MaxValue, remaining.TotalMilliseconds), kind, command, leaseId, keys);
        var pending = new PendingForward();
        _forwards[id] = pending;
        try
        {
            pending.ConnectionId = _transport!.SendFrame(leader, ForwardCodec.Encode(request));
            if (pending.ConnectionId == 0)
            {
                throw new ForwardNotSentException();
            }

            if (!_connectedPeers.TryGetValue(leader, out var current) || current != pending.ConnectionId)
            {
                // The connection went away between the send and now.
                pending.Completion.TrySetException(new ForwardConnectionLostException());
            }

            return await pending.Completion.Task.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _forwards.TryRemove(id, out _);
        }
    }

    /// <summary>An outgoing connection ended: the forwarded requests sent on it will get no reply.</summary>
    private void ConnectionLost(long connectionId)
    {
        foreach (var (_, pending) in _forwards)
        {
            if (pending.ConnectionId == connectionId)
            {
                pending.Completion.TrySetException(new ForwardConnectionLostException());
            }
        }
    }

    private void AbandonForwards(Exception reason)
    {
        foreach (var (_, pending) in _forwards)
        {
            pending.Completion.TrySetException(reason);
        }
    }

    /// <summary>On a connection's read loop: hands the frame off at once.</summary>
    private void OnPeerFrame(PeerFrameReceived frame)
    {
        try
        {
            if (frame.Type == PeerFrameType.ForwardReply)
            {
                var reply = ForwardCodec.DecodeReply(frame.Payload);
                if (_forwards.TryGetValue(reply.Id, out var pending))
                {
                    pending.Completion.TrySetResult(reply);
                }

                return;
            }

            var request = ForwardCodec.DecodeRequest(frame.Payload);
            _ = ServeForwardAsync(frame, request);
        }
        catch (InvalidDataException ex)
        {
            Log.BadForwardFrame(_logger, NameOf(frame.From), ex.Message);
        }
    }

    /// <summary>
    /// On the leader: executes a forwarded request and replies before the follower gives up (SPEC §8.4: the earlier of
    /// receipt + remaining − 100 ms and receipt + <c>replication_timeout</c>).
    /// </summary>
    private async Task ServeForwardAsync(PeerFrameReceived frame, ForwardRequest request)
    {
        var receipt = _time.GetTimestamp();
        var deadline = Math.Min(After(receipt, (int)Math.Max(0, Math.Min(int.MaxValue, request.RemainingMs - 100L))), After(receipt, _options.ReplicationTimeout));
        ForwardReply reply;
        try
        {
            if (_stopping || _raft is null || _raft.Status.Role != CoreRole.Leader)
            {
                reply = new ForwardReply(request.Id, ForwardStatus.NotLeader, 0, 0, default, 0, 0);
            }
            else
            {
                using var timeout = new CancellationTokenSource(Remaining(deadline), _time);
                reply = request.Kind switch
                {
                    ForwardKind.Command => await ServeForwardedWriteAsync(request, deadline).ConfigureAwait(false),
                    ForwardKind.KeepAlive => Ok(request.Id, await LocalKeepAliveAsync(new LeaseKeepAliveRequest { Id = request.LeaseId }, timeout.Token).ConfigureAwait(false)),
                    _ => Ok(request.Id, await LocalTimeToLiveAsync(new LeaseTimeToLiveRequest { Id = request.LeaseId, Keys = request.Keys }, timeout.Token).ConfigureAwait(false)),
                };
            }
        }
        catch (LeadershipLostException)
        {
            // Deposed while answering: the follower asks the new leader, as for any refusal.
            reply = new ForwardReply(request.Id, ForwardStatus.NotLeader, 0, 0, default, 0, 0);
        }
        catch (AntiEtcdRequestException ex)
        {
            reply = new ForwardReply(request.Id, ForwardStatus.Error, 0, 0, Encoding.UTF8.GetBytes(ex.Message), ex.Code, ex.GrpcCode);
        }
        catch (OperationCanceledException)
        {
            var error = request.Kind == ForwardKind.Command ? EtcdErrors.WriteTimedOut() : EtcdErrors.ReadTimedOut();
            reply = new ForwardReply(request.Id, ForwardStatus.Error, 0, 0, Encoding.UTF8.GetBytes(error.Message), error.Code, error.GrpcCode);
        }
        catch (Exception ex)
        {
            Log.ForwardFailed(_logger, ex);
            var error = EtcdErrors.Internal(ex.GetType().Name);
            reply = new ForwardReply(request.Id, ForwardStatus.Error, 0, 0, Encoding.UTF8.GetBytes(error.Message), error.Code, error.GrpcCode);
        }

        frame.Reply(ForwardCodec.Encode(reply));
    }

    /// <summary>Proposes a follower's write as it came; a command that does not decode, or is no client write, is refused.</summary>
    private async Task<ForwardReply> ServeForwardedWriteAsync(ForwardRequest request, long deadline)
    {
        Command command;
        try
        {
            command = CommandCodec.Decode(request.Command.Span);
        }
        catch (InvalidDataException ex)
        {
            throw EtcdErrors.BadRequest("forwarded command: " + ex.Message);
        }

        if (command.Type is not (CommandType.Put or CommandType.DeleteRange or CommandType.Txn or CommandType.Compact or CommandType.LeaseGrant or CommandType.LeaseRevoke or CommandType.Import))
        {
            throw EtcdErrors.BadRequest("forwarded command: not a client write");
        }

        var proposal = new Proposal(request.Command.ToArray());
        _raft!.Propose(proposal);
        if (await AwaitProposalAsync(proposal, deadline, CancellationToken.None).ConfigureAwait(false) is not { } applied)
        {
            return new ForwardReply(request.Id, ForwardStatus.NotLeader, 0, 0, default, 0, 0);
        }

        var (status, response, compactRevision) = applied;
        if (status != MvccStatus.Ok)
        {
            var error = EtcdErrors.FromStatus(status, compactRevision);
            return new ForwardReply(request.Id, ForwardStatus.Error, proposal.Index, proposal.Term, Encoding.UTF8.GetBytes(error.Message), error.Code, error.GrpcCode);
        }

        return Ok(request.Id, response!) with { Index = proposal.Index, Term = proposal.Term };
    }

    private static ForwardReply Ok(ulong id, object response)
    {
        var json = response switch
        {
            PutResponse r => ApiJsonWriter.ToUtf8Bytes(r, ApiJsonWriter.Write),
            DeleteRangeResponse r => ApiJsonWriter.ToUtf8Bytes(r, ApiJsonWriter.Write),
            TxnResponse r => ApiJsonWriter.ToUtf8Bytes(r, ApiJsonWriter.Write),
            CompactionResponse r => ApiJsonWriter.ToUtf8Bytes(r, ApiJsonWriter.Write),
            LeaseGrantResponse r => ApiJsonWriter.ToUtf8Bytes(r, ApiJsonWriter.Write),
            LeaseRevokeResponse r => ApiJsonWriter.ToUtf8Bytes(r, ApiJsonWriter.Write),
            LeaseKeepAliveResponse r => ApiJsonWriter.ToUtf8Bytes(r, ApiJsonWriter.WriteKeepAliveResult),
            LeaseTimeToLiveResponse r => ApiJsonWriter.ToUtf8Bytes(r, ApiJsonWriter.Write),
            ImportOutcome r => ImportOutcomeJson.Encode(r),
            _ => throw new InvalidOperationException("no JSON form for " + response.GetType().Name),
        };
        return new ForwardReply(id, ForwardStatus.Ok, 0, 0, json, 200, 0);
    }
}
