using System.Net.WebSockets;
using AntiEtcd.Api;
using AntiEtcd.Api.Json;

namespace AntiEtcd.Client;

/// <summary>
/// A set of watches on one WebSocket stream that survives lost connections: it reconnects to the
/// next endpoint after <see cref="AntiEtcdClientOptions.ReconnectDelay"/> and recreates each watch
/// with <c>start_revision</c> = R + 1, so no event is lost and none is repeated (SPEC §7.5, §12.2).
/// </summary>
/// <remarks>
/// <para>
/// R is the newest revision a watch has confirmed: the revision of its last event, the
/// <c>header.revision</c> of a later progress notification, and, only for a watch created without
/// <c>start_revision</c>, the <c>header.revision</c> of its created message. A watch created with
/// <c>start_revision</c> S starts with R = S − 1, because its replay comes after the created message.
/// </para>
/// <para>
/// Create replies are matched to creates by order, because the server processes a connection's
/// messages in order (SPEC §7.4). A create refused as not ready or not leader (a 503-like reason)
/// moves to the next endpoint, like a read; any other refusal ends the run.
/// </para>
/// <para>Thread-safety: run it once; <see cref="ConfirmedRevision"/> may be read from any thread.</para>
/// </remarks>
public sealed class ResumableWatch
{
    private readonly AntiEtcdClient _client;
    private readonly WatchState[] _watches;

    /// <summary>Prepares the watches; nothing is sent until <see cref="RunAsync"/>.</summary>
    /// <param name="client">Gives the endpoints, TLS settings, timeout and reconnect delay.</param>
    /// <param name="watches">
    /// The create requests, in the order they are sent. A <c>WatchId</c> of 0 becomes the position
    /// plus one, so every reply can be told apart. The requests are not modified.
    /// </param>
    public ResumableWatch(AntiEtcdClient client, IReadOnlyList<WatchCreateRequest> watches)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(watches);
        if (watches.Count == 0)
        {
            throw new ArgumentException("at least one watch is needed", nameof(watches));
        }

        _client = client;
        _watches = new WatchState[watches.Count];
        for (int i = 0; i < watches.Count; i++)
        {
            var request = watches[i];
            long id = request.WatchId != 0 ? request.WatchId : i + 1;
            _watches[i] = new WatchState(request, id);
        }
    }

    /// <summary>The confirmed revision R of the watch at <paramref name="index"/>, or -1 while none is known.</summary>
    /// <param name="index">The watch's position in the constructor's list.</param>
    public long ConfirmedRevision(int index) => Interlocked.Read(ref _watches[index].Confirmed);

    /// <summary>
    /// Connects, creates the watches and passes every server message to <paramref name="onMessage"/>
    /// until the watches end. Lost connections are reported to <paramref name="onConnectionError"/>
    /// and repaired.
    /// </summary>
    /// <param name="onMessage">Called for every server message, in order, before it is acted on.</param>
    /// <param name="onConnectionError">Called for each failed connect and each lost connection.</param>
    /// <param name="cancellationToken">Ends the run with <see cref="OperationCanceledException"/>.</param>
    /// <returns>Why the run ended on its own.</returns>
    public async Task<WatchEnd> RunAsync(Action<WatchMessage> onMessage, Action<EndpointError>? onConnectionError, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        var endpoints = _client.Endpoints;
        int index = _client.PreferredIndex;
        bool everConnected = false;
        int failedInARow = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (everConnected)
            {
                await Task.Delay(_client.Options.ReconnectDelay, _client.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }

            WatchConnection connection;
            try
            {
                connection = await WatchConnection.ConnectAsync(_client, endpoints[index], cancellationToken).ConfigureAwait(false);
            }
            catch (AntiEtcdClientException ex)
            {
                onConnectionError?.Invoke(ex.Errors[^1]);
                index = (index + 1) % endpoints.Count;
                if (!everConnected && ++failedInARow == endpoints.Count)
                {
                    return new WatchEnd(WatchEndReason.Unreachable, null, "every endpoint failed");
                }

                continue;
            }

            everConnected = true;
            failedInARow = 0;
            await using (connection.ConfigureAwait(false))
            {
                var (end, error) = await ServeAsync(connection, onMessage, cancellationToken).ConfigureAwait(false);
                if (end is not null)
                {
                    return end;
                }

                onConnectionError?.Invoke(error!);
            }

            index = (index + 1) % endpoints.Count;
        }
    }

    /// <summary>Runs one connection: creates the active watches, then reads until it ends or breaks.</summary>
    private async Task<(WatchEnd? End, EndpointError? Error)> ServeAsync(WatchConnection connection, Action<WatchMessage> onMessage, CancellationToken cancellationToken)
    {
        var pending = new Queue<WatchState>();
        try
        {
            foreach (var watch in _watches)
            {
                if (!watch.Active)
                {
                    continue;
                }

                await connection.SendAsync(ApiJsonWriter.ToUtf8Bytes(watch.NextCreateRequest(), ApiRequestWriter.WriteWatchCreate), cancellationToken).ConfigureAwait(false);
                pending.Enqueue(watch);
            }

            while (true)
            {
                var json = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                if (json is null)
                {
                    var reason = connection.CloseStatus is { } status
                        ? $"connection closed by the server ({(int)status}{(string.IsNullOrEmpty(connection.CloseStatusDescription) ? "" : " " + connection.CloseStatusDescription)})"
                        : "connection closed by the server";
                    return (null, new EndpointError(connection.Url, 0, 0, reason, false));
                }

                WatchResponse? response;
                try
                {
                    response = ApiResponseReader.ReadWatchMessage(json);
                }
                catch (FormatException)
                {
                    response = null;
                }

                onMessage(new WatchMessage(connection.Url, json, response));
                if (response is not null)
                {
                    var end = Apply(response, pending, connection.Url, out var retry);
                    if (end is not null || retry is not null)
                    {
                        return (end, retry);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return (null, new EndpointError(connection.Url, 0, 0, "connection lost: " + AntiEtcdClient.Describe(ex), false));
        }
    }

    /// <summary>Updates the confirmed revisions from one message; returns an end, or sets a reason to reconnect.</summary>
    private WatchEnd? Apply(WatchResponse response, Queue<WatchState> pending, Uri url, out EndpointError? reconnect)
    {
        reconnect = null;
        if (response.Created)
        {
            pending.TryDequeue(out var created);
            if (response.Canceled)
            {
                // A create failed. Not ready / not leader: another endpoint may serve it (SPEC §12.3, a read).
                if (response.CancelReason.EndsWith(AntiEtcdClient.NotExecutedSuffix, StringComparison.Ordinal))
                {
                    reconnect = new EndpointError(url, 0, 0, response.CancelReason, false);
                    return null;
                }

                return new WatchEnd(WatchEndReason.CreateFailed, response, response.CancelReason);
            }

            if (created is not null && created.StartedWithoutRevision)
            {
                created.Confirm(response.Header.Revision);
            }

            return null;
        }

        var watch = Find(response.WatchId);
        if (watch is null)
        {
            return null;
        }

        if (response.Canceled)
        {
            watch.Active = false;
            if (response.CompactRevision != 0)
            {
                return new WatchEnd(WatchEndReason.Compacted, response, response.CancelReason.Length > 0 ? response.CancelReason : "etcdserver: mvcc: required revision has been compacted");
            }

            foreach (var w in _watches)
            {
                if (w.Active)
                {
                    return null;
                }
            }

            return new WatchEnd(WatchEndReason.Canceled, response, response.CancelReason.Length > 0 ? response.CancelReason : "watch canceled by the server");
        }

        if (response.Events.Count > 0)
        {
            long last = response.Events[^1].Kv.ModRevision;
            // A fragment does not complete its revision: only the revision before it is confirmed.
            watch.Confirm(response.Fragment ? last - 1 : last);
        }
        else
        {
            // A progress notification: every event of this watch up to header.revision was sent.
            watch.Confirm(response.Header.Revision);
        }

        return null;
    }

    private WatchState? Find(long watchId)
    {
        foreach (var watch in _watches)
        {
            if (watch.Id == watchId)
            {
                return watch;
            }
        }

        return null;
    }

    private sealed class WatchState
    {
        public long Confirmed;

        public WatchState(WatchCreateRequest request, long id)
        {
            Request = request;
            Id = id;
            StartedWithoutRevision = request.StartRevision <= 0;
            Confirmed = request.StartRevision > 0 ? request.StartRevision - 1 : -1;
        }

        public WatchCreateRequest Request { get; }

        public long Id { get; }

        public bool StartedWithoutRevision { get; private set; }

        public bool Active { get; set; } = true;

        public void Confirm(long revision)
        {
            if (revision > Interlocked.Read(ref Confirmed))
            {
                Interlocked.Exchange(ref Confirmed, revision);
            }
        }

        /// <summary>The create to send now: the original, or the same from R + 1 once R is known.</summary>
        public WatchCreateRequest NextCreateRequest()
        {
            long confirmed = Interlocked.Read(ref Confirmed);
            if (confirmed >= 0)
            {
                // From now on the watch restarts from a revision: its created message confirms nothing.
                StartedWithoutRevision = false;
            }

            return new WatchCreateRequest
            {
                Key = Request.Key,
                RangeEnd = Request.RangeEnd,
                StartRevision = confirmed >= 0 ? confirmed + 1 : Request.StartRevision,
                ProgressNotify = Request.ProgressNotify,
                Filters = Request.Filters,
                PrevKv = Request.PrevKv,
                WatchId = Id,
                Fragment = Request.Fragment,
            };
        }
    }
}
