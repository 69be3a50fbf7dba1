using System.Collections.Concurrent;
using System.Net.WebSockets;
using AntiEtcd.Api;
using AntiEtcd.Mvcc;
using AntiEtcd.Server.Hosting;
using AntiEtcd.Server.Node;

namespace AntiEtcd.Server;

public sealed partial class AntiEtcdServer
{
    private WatchHub? _hub;
    private EmbeddedWatchStream? _embedded;

    /// <summary>Open client WebSockets (watch and keepalive), closed with 1001 when the server stops.</summary>
    internal ConcurrentDictionary<WatchSession, byte> Sessions { get; } = new();

    /// <summary>Active watches (metrics; read off the loop, so approximate).</summary>
    internal int WatcherCount => _hub?.Count ?? 0;

    private WatchHub Hub => _hub ??= new WatchHub(() => new ResponseHeader { ClusterId = ClusterId, MemberId = MemberId, RaftTerm = RaftState.Term });

    private EmbeddedWatchStream Embedded => _embedded ??= new EmbeddedWatchStream(this, _logger);

    /// <summary>
    /// Creates an in-process watch (SPEC §13.2) and returns its ID once it exists. The callback gets
    /// every later message of the watch (events, progress notifications, a final cancellation),
    /// one call at a time, each awaited before the next.
    /// </summary>
    /// <param name="request">What to watch.</param>
    /// <param name="callback">Receives the watch's messages; if it throws, the watch is canceled.</param>
    /// <param name="context">Flags and caller identity; none by default.</param>
    /// <param name="cancellationToken">Stops waiting for the creation.</param>
    /// <exception cref="AntiEtcdRequestException">400 with the cancel reason, or 400 code 11 for a compacted start revision.</exception>
    public async Task<long> CreateWatchAsync(WatchCreateRequest request, Func<WatchResponse, ValueTask> callback, RequestContext? context = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(callback);
        ThrowIfStopping();
        await WaitForImportAsync(context?.NoWaitQuorum == true, cancellationToken).ConfigureAwait(false);
        var ready = IsClusterMode ? await WatchReadinessAsync(context?.LeaderOnly == true, context?.NoWaitQuorum == true, cancellationToken).ConfigureAwait(false) : 0;

        // The loop runs a queued create even when the token fires first, and a caller that gets the
        // OperationCanceledException never learns the watch's ID to cancel it: the clean-up below removes it, or marks
        // the attempt so that a create still waiting (for the applied index) creates nothing.
        var creation = new EmbeddedWatchCreation();
        try
        {
            var created = await Loop.ExecuteAsync(
                static (store, s) =>
                {
                    if (s.Creation.Abandoned)
                    {
                        return (Failure: null, Created: null, store.CompactRevision);
                    }

                    if (s.Request.StartRevision > 0 && s.Request.StartRevision < store.CompactRevision)
                    {
                        // Refused before it exists: the caller gets the exception and the callback nothing (over WebSocket
                        // the same request is created and then canceled, SPEC §7.4; in process the throw is that answer).
                        return (Failure: null, Created: null, store.CompactRevision);
                    }

                    var stream = s.Server.Embedded;
                    stream.PendingCallback = s.Callback;
                    stream.LastCreated = null;
                    var failure = s.Server.Hub.Create(store, stream, s.Request, int.MaxValue);
                    stream.PendingCallback = null;
                    if (failure is null && stream.LastCreated is { } message)
                    {
                        s.Creation.Id = message.WatchId;
                    }

                    return (Failure: failure, Created: stream.LastCreated, store.CompactRevision);
                },
                (Server: this, Request: request, Callback: callback, Creation: creation),
                false,
                cancellationToken,
                ready).ConfigureAwait(false);
            if (created.Failure is { } reason)
            {
                throw EtcdErrors.BadRequest(reason);
            }

            if (created.Created is null)
            {
                throw new AntiEtcdRequestException(400, 11, "etcdserver: mvcc: required revision has been compacted", created.CompactRevision);
            }

            // Replay in bounded steps, each its own loop operation, so writes keep flowing meanwhile.
            while (Embedded.HasReplaying)
            {
                await ReplayWatchStreamAsync(Embedded, cancellationToken).ConfigureAwait(false);
            }

            return created.Created.WatchId;
        }
        catch (OperationCanceledException)
        {
            await Loop.ExecuteAsync(
                static (store, s) =>
                {
                    s.Creation.Abandoned = true;
                    if (s.Creation.Id is { } id)
                    {
                        s.Server.CancelEmbeddedWatch(store, id);
                    }

                    return 0;
                },
                (Server: this, Creation: creation),
                false,
                CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Cancels an in-process watch; its callback gets no further message.</summary>
    /// <param name="watchId">The ID returned by <see cref="CreateWatchAsync"/>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="AntiEtcdRequestException">400 <c>Watch not found</c> for an unknown ID.</exception>
    public async Task CancelWatchAsync(long watchId, CancellationToken cancellationToken = default)
    {
        ThrowIfStopping();
        var found = await Loop.ExecuteAsync(
            static (store, s) => s.Server.CancelEmbeddedWatch(store, s.Id),
            (Server: this, Id: watchId),
            false,
            cancellationToken).ConfigureAwait(false);
        if (!found)
        {
            throw EtcdErrors.BadRequest("Watch not found");
        }
    }

    /// <summary>
    /// On the apply loop: ends an in-process watch at its client's request (CancelWatchAsync, or a create its caller
    /// gave up on). No queued message reaches the callback any more, and a progress reply waiting for this watch's
    /// replay is released. False when no such watch exists.
    /// </summary>
    private bool CancelEmbeddedWatch(MvccStore store, long id)
    {
        Embedded.Forget(id);
        return Hub.Cancel(store, Embedded, id);
    }

    /// <summary>
    /// Returns R, the applied revision when the request is processed, once every in-process
    /// watch's callback has been called and awaited for every event with revision ≤ R.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task<long> RequestProgressAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfStopping();
        var barrier = new EmbeddedWatchStream.ProgressBarrier();
        var revision = await Loop.ExecuteAsync(
            static (store, s) =>
            {
                s.Server.Embedded.ProgressWaiters.Enqueue(s.Barrier);
                return s.Server.Hub.RequestProgress(store, s.Server.Embedded);
            },
            (Server: this, Barrier: barrier),
            false,
            cancellationToken).ConfigureAwait(false);
        await barrier.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return revision;
    }

    internal Task CancelEmbeddedWatchAsync(long id, string reason) =>
        _applyLoop is null ? Task.CompletedTask : Loop.ExecuteAsync(
            static (store, s) =>
            {
                s.Server.Hub.CancelWithReason(store, s.Server.Embedded, s.Id, s.Reason);
                return 0;
            },
            (Server: this, Id: id, Reason: reason),
            false,
            CancellationToken.None);

    internal Task RemoveEmbeddedWatchAsync(long id) =>
        _applyLoop is null ? Task.CompletedTask : Loop.ExecuteAsync(
            static (_, s) =>
            {
                s.Server.Hub.Remove(s.Server.Embedded, s.Id);
                return 0;
            },
            (Server: this, Id: id),
            false,
            CancellationToken.None);

    /// <summary>A create on a client stream (SPEC §7.4); failures are reported on the stream.</summary>
    internal Task CreateWatchOnStreamAsync(WatchStream stream, WatchCreateRequest request, RequestFlags flags, CancellationToken cancellationToken)
    {
        // A one-node cluster is always the leader and ready (once no import is pending), so
        // leaderonly and readiness pass.
        if (Volatile.Read(ref _importGate) is not null)
        {
            return CreateWatchAfterImportAsync(stream, request, flags, cancellationToken);
        }

        if (IsClusterMode)
        {
            return CreateWatchInClusterAsync(stream, request, flags, cancellationToken);
        }

        return Loop.ExecuteAsync(
            static (store, s) => s.Server.Hub.Create(store, s.Stream, s.Request, s.Server._options.MaxWatchesPerConnection),
            (Server: this, Stream: stream, Request: request),
            false,
            cancellationToken);
    }

    /// <summary>
    /// A watch on a cluster node is served locally once the node is ready for local reads (SPEC §8.4 L), so that it
    /// starts from a state at least as new as the one this node had when it joined the leader's term.
    /// </summary>
    private async Task CreateWatchInClusterAsync(WatchStream stream, WatchCreateRequest request, RequestFlags flags, CancellationToken cancellationToken)
    {
        ulong ready;
        try
        {
            ready = await WatchReadinessAsync(flags.HasFlag(RequestFlags.LeaderOnly), flags.HasFlag(RequestFlags.NoWaitQuorum), cancellationToken).ConfigureAwait(false);
        }
        catch (AntiEtcdRequestException ex) when (ex.Code == 503)
        {
            await FailWatchCreateAsync(stream, ex.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        await Loop.ExecuteAsync(
            static (store, s) => s.Server.Hub.Create(store, s.Stream, s.Request, s.Server._options.MaxWatchesPerConnection),
            (Server: this, Stream: stream, Request: request),
            false,
            cancellationToken,
            ready).ConfigureAwait(false);
    }

    /// <summary>Readiness L for a watch (SPEC §8.4): the applied index to wait for; U2 with <c>leaderonly</c> on a follower.</summary>
    private Task<ulong> WatchReadinessAsync(bool leaderOnly, bool noWaitQuorum, CancellationToken cancellationToken)
    {
        if (leaderOnly && _raft!.Status.Role != AntiEtcd.Raft.RaftRole.Leader)
        {
            throw EtcdErrors.NotLeader();
        }

        var arrival = _time.GetTimestamp();
        return LocalReadyIndexAsync(noWaitQuorum ? arrival : After(arrival, _options.WaitQuorumTimeout), cancellationToken);
    }

    /// <summary>Sends "create failed" for a create request that could not be decoded.</summary>
    internal Task FailWatchCreateAsync(WatchStream stream, string reason, CancellationToken cancellationToken) =>
        Loop.ExecuteAsync(
            static (store, s) =>
            {
                s.Server.Hub.Fail(store, s.Stream, s.Reason);
                return 0;
            },
            (Server: this, Stream: stream, Reason: reason),
            false,
            cancellationToken);

    internal Task CancelWatchOnStreamAsync(WatchStream stream, long id, CancellationToken cancellationToken) =>
        Loop.ExecuteAsync(
            static (store, s) => s.Server.Hub.Cancel(store, s.Stream, s.Id),
            (Server: this, Stream: stream, Id: id),
            false,
            cancellationToken);

    internal Task RequestProgressOnStreamAsync(WatchStream stream, CancellationToken cancellationToken) =>
        Loop.ExecuteAsync(
            static (store, s) => s.Server.Hub.RequestProgress(store, s.Stream),
            (Server: this, Stream: stream),
            false,
            cancellationToken);

    internal Task ReplayWatchStreamAsync(WatchStream stream, CancellationToken cancellationToken) =>
        Loop.ExecuteAsync(
            static (store, s) =>
            {
                s.Server.Hub.Replay(store, s.Stream);
                return 0;
            },
            (Server: this, Stream: stream),
            false,
            cancellationToken);

    internal Task CloseWatchStreamAsync(WatchStream stream) =>
        _applyLoop is null || _stopping && _applyLoop.Completion.IsCompleted ? Task.CompletedTask : Loop.ExecuteAsync(
            static (_, s) =>
            {
                s.Server.Hub.Close(s.Stream);
                return 0;
            },
            (Server: this, Stream: stream),
            false,
            CancellationToken.None);

    /// <summary>The apply loop's hook: watch delivery after every operation. A bug here must not stop the loop.</summary>
    private void AfterOperation(MvccStore store)
    {
        try
        {
            Hub.Sync(store);
        }
        catch (Exception ex)
        {
            Log.WatchDeliveryFailed(_logger, ex);
        }
    }

    /// <summary>progress_notify (SPEC §7.4): every interval, notify idle watches that asked for it.</summary>
    private async Task RunProgressNotifyAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(1, _options.WatchProgressNotifyInterval));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
                await Loop.ExecuteAsync(
                    static (store, server) =>
                    {
                        server.Hub.NotifyProgress(store);
                        return 0;
                    },
                    this,
                    false,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Closes every client WebSocket with 1001 (SPEC §7.4 "Stop").</summary>
    private async Task CloseSessionsAsync()
    {
        var closing = new List<Task>();
        foreach (var session in Sessions.Keys)
        {
            closing.Add(session.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "server is stopping"));
        }

        await Task.WhenAll(closing).ConfigureAwait(false);
        _embedded?.CompleteAll();
    }
}
