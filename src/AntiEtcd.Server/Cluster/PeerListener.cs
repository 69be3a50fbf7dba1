using System.Net.WebSockets;
using AntiEtcd.Raft;
using Microsoft.AspNetCore.Http;

namespace AntiEtcd.Server.Cluster;

/// <summary>The server side of peer connections: the SPEC §10.3 handshake, then the authenticated read loop.</summary>
/// <remarks>
/// <para>The HTTP handler routes a WebSocket upgrade of <c>/antietcd/peer</c> here with one call,
/// <c>await transport.Listener.AcceptAsync(context)</c>, after its own checks (SPEC §10.2: 403 for a certificate
/// that does not chain to <c>peer_ca</c>). The call returns when the connection has ended.</para>
/// <para>Thread-safe: connections run concurrently. A new connection authenticated as N replaces (closes with
/// 1000) the previous incoming connection from N, so a peer that redials never leaves a stale one behind.</para>
/// </remarks>
internal sealed class PeerListener
{
    private readonly WebSocketPeerTransport _transport;
    private readonly Dictionary<NodeId, PeerSocket> _current = [];

    internal PeerListener(WebSocketPeerTransport transport) => _transport = transport;

    /// <summary>Accepts the WebSocket upgrade in <paramref name="context"/> and serves it until it ends.</summary>
    /// <remarks>A request that is not a WebSocket upgrade is answered 400.</remarks>
    public async Task AcceptAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var connection = context.Connection;
        var remote = connection.RemoteIpAddress is { } ip ? $"{ip}:{connection.RemotePort}" : "unknown";
        var options = _transport.Options;
        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveTimeout,
        }).ConfigureAwait(false);
        await AcceptAsync(socket, remote, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Serves an accepted peer WebSocket until it ends; the socket is disposed afterwards.</summary>
    /// <param name="socket">An open server-side WebSocket.</param>
    /// <param name="remoteAddress">The remote address, for logs.</param>
    /// <param name="cancellationToken">Ends the connection (for example the request's abort token).</param>
    public async Task AcceptAsync(WebSocket socket, string remoteAddress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var id = _transport.NextConnectionId();
        var run = RunAsync(socket, id, remoteAddress, cancellationToken);
        _transport.TrackIncoming(id, run);
        try
        {
            await run.ConfigureAwait(false);
        }
        finally
        {
            _transport.UntrackIncoming(id);
        }
    }

    private async Task RunAsync(WebSocket webSocket, long id, string remote, CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(_transport.Lifetime, cancellationToken);
        var socket = new PeerSocket(webSocket, id, remote, _transport.Time, lifetime.Token);
        _transport.Track(socket);
        ClusterMember? member = null;
        var reason = "closed";
        try
        {
            if (_transport.IsDisposed)
            {
                await socket.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "node shutting down").ConfigureAwait(false);
                return;
            }

            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(socket.Token))
            {
                var deadline = Task.Delay(_transport.Options.HandshakeTimeout, _transport.Time, handshake.Token);
                ClusterMember verified;
                byte[] authOk;
                try
                {
                    (verified, authOk) = await HandshakeAsync(socket, deadline).ConfigureAwait(false);
                }
                catch (Exception e) when (e is PeerAuthException or PeerProtocolException)
                {
                    _transport.HandshakeFailed(null, remote, e.Message);
                    await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, e.Message).ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
                {
                    if (!_transport.IsDisposed)
                    {
                        _transport.HandshakeFailed(null, remote, "connection lost during the handshake");
                    }

                    return;
                }

                // Registered before auth_ok goes out: once the peer can know it is authenticated, a connection
                // it opens next is certain to be registered after this one, so "newer replaces older" holds.
                member = verified;
                PeerSocket? replaced;
                lock (_current)
                {
                    _current.TryGetValue(member.Id, out replaced);
                    _current[member.Id] = socket;
                }

                if (replaced is not null)
                {
                    await replaced.CloseAsync(WebSocketCloseStatus.NormalClosure, "replaced by a newer connection").ConfigureAwait(false);
                }

                try
                {
                    await socket.SendAsync(authOk, WebSocketMessageType.Text).ConfigureAwait(false);
                }
                catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
                {
                    Unregister(member.Id, socket);
                    member = null;
                    return;
                }

                await handshake.CancelAsync().ConfigureAwait(false);
            }

            _transport.Raise(member, PeerDirection.Incoming, PeerConnectionState.Connected, socket);
            _transport.Raise(member, PeerDirection.Incoming, PeerConnectionState.Authenticated, socket);

            // The peer is evidently up: stop waiting out the backoff before dialling it back.
            _transport.SenderOf(member.Id).Wake();
            reason = await _transport.ReadFramesAsync(socket, member).ConfigureAwait(false);
        }
        finally
        {
            if (member is not null)
            {
                Unregister(member.Id, socket);
                _transport.Raise(member, PeerDirection.Incoming, PeerConnectionState.Disconnected, socket, reason);
            }

            _transport.Untrack(socket);
            await socket.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Unregister(NodeId peer, PeerSocket socket)
    {
        lock (_current)
        {
            if (_current.TryGetValue(peer, out var current) && current == socket)
            {
                _current.Remove(peer);
            }
        }
    }

    /// <summary>The server side of SPEC §10.3: hello, then check auth. Returns the authenticated member and the
    /// auth_ok message, which the caller sends once the connection is registered.</summary>
    private async Task<(ClusterMember Member, byte[] AuthOk)> HandshakeAsync(PeerSocket socket, Task deadline)
    {
        var options = _transport.Options;
        var membership = _transport.Membership;
        var local = membership.Local;
        var challenge = PeerAuth.NewRandom();
        var hello = new HandshakeMessage
        {
            Kind = HandshakeKind.Hello,
            Protocol = PeerAuth.Protocol,
            NodeId = local.Name,
            ClusterId = membership.ClusterId,
            Challenge = challenge,
            Settings = options.Settings,
        };
        await socket.SendAsync(hello.ToUtf8(), WebSocketMessageType.Text).ConfigureAwait(false);

        // Before authentication a message may be at most max_request_bytes (SPEC §10.4).
        var received = await socket.ReceiveBeforeAsync(deadline, options.Settings.MaxRequestBytes).ConfigureAwait(false);
        if (received.Type == WebSocketMessageType.Close)
        {
            throw new PeerAuthException(socket.DescribeClose() + " during the handshake");
        }

        if (received.Type != WebSocketMessageType.Text)
        {
            throw new PeerAuthException("binary message before authentication");
        }

        var auth = HandshakeMessage.Parse(received.Data, HandshakeKind.Auth);
        if (auth.Protocol != PeerAuth.Protocol)
        {
            throw new PeerAuthException($"protocol {auth.Protocol} differs from {PeerAuth.Protocol}");
        }

        var member = membership.Find(auth.NodeId) ?? throw new PeerAuthException("unknown node id");
        if (member == local)
        {
            throw new PeerAuthException("node id is this node's own");
        }

        var key = options.ClusterKey.Span;
        if (!PeerAuth.Verify(auth.Mac, PeerAuth.ClientMac(key, auth.NodeId, local.Name, challenge, auth.Nonce)))
        {
            throw new PeerAuthException("authentication failed");
        }

        // Checked after the MAC, so the logs below name a peer that proved who it is.
        if (auth.ClusterId != membership.ClusterId)
        {
            throw new PeerAuthException("cluster id differs");
        }

        if (options.Settings.FirstDifference(auth.Settings!) is { } difference)
        {
            _transport.LogSettingDiffers(member.Name, difference);
            throw new PeerAuthException($"setting {difference.Name} differs");
        }

        var mac = PeerAuth.ServerMac(key, local.Name, auth.NodeId, challenge, auth.Nonce);
        var authOk = new HandshakeMessage { Kind = HandshakeKind.AuthOk, Mac = Convert.ToBase64String(mac) };
        return (member, authOk.ToUtf8());
    }
}
