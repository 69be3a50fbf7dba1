using System.Buffers;
using System.Diagnostics;
using System.Net;
using AntiEtcd.Api;
using AntiEtcd.Api.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Hosting;

/// <summary>
/// The one terminal HTTP handler. It follows SPEC §3.2's processing order literally: origin and
/// host checks, routing, stopping, size, then decoding and execution through the server's API.
/// </summary>
internal sealed class RequestHandler
{
    private const string PeerPath = "/antietcd/peer";
    private readonly AntiEtcdServer _server;
    private readonly Func<bool> _loopbackOnly;
    private readonly TlsSettings? _tls;
    private readonly ILogger _logger;
    private readonly ILogger _accessLogger;

    public RequestHandler(AntiEtcdServer server, Func<bool> loopbackOnly, TlsSettings? tls)
    {
        _server = server;
        _loopbackOnly = loopbackOnly;
        _tls = tls;
        _logger = server.LoggerFactory.CreateLogger("AntiEtcd.Http");
        _accessLogger = server.LoggerFactory.CreateLogger("AntiEtcd.Access");
    }

    public async Task HandleAsync(HttpContext context)
    {
        // Peer connections live as long as the node; a graceful stop drains client requests only.
        if (context.Request.Path.Value == PeerPath)
        {
            await HandleCoreAsync(context).ConfigureAwait(false);
            return;
        }

        _server.ClientRequestStarted();
        try
        {
            await HandleCoreAsync(context).ConfigureAwait(false);
        }
        finally
        {
            _server.ClientRequestFinished();
        }
    }

    private async Task HandleCoreAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var path = context.Request.Path.Value ?? "/";
        var api = ApiRoutes.FromPath(path);
        var label = MetricLabel(api, path, context);
        using var response = new PooledBufferWriter();
        RequestBody? body = null;
        int status;
        try
        {
            (body, status) = await ServeAsync(context, path, api, response).ConfigureAwait(false);
        }
        catch (AntiEtcdRequestException ex)
        {
            status = ex.Code;
            response.Clear();
            using (var writer = ApiJsonWriter.CreateWriter(response))
            {
                ApiJsonWriter.WriteError(writer, ex.Message, ex.GrpcCode);
            }
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel could not read the body (broken chunked framing, a body cut short): the
            // client's fault, never a 500. The rest of the connection cannot be trusted.
            status = ex.StatusCode == 413 ? 413 : 400;
            response.Clear();
            context.Response.Headers.Connection = "close";
            using (var writer = ApiJsonWriter.CreateWriter(response))
            {
                ApiJsonWriter.WriteError(writer, status == 413 ? "etcdserver: request is too large" : "body should be valid JSON", 3);
            }
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
            return;
        }
        catch (Exception ex)
        {
            Log.InternalError(_logger, path, ex);
            status = 500;
            response.Clear();
            using (var writer = ApiJsonWriter.CreateWriter(response))
            {
                ApiJsonWriter.WriteError(writer, "Internal error: " + ex.GetType().Name, 13);
            }
        }

        try
        {
            await WriteResponseAsync(context, status, response).ConfigureAwait(false);
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            _server.Metrics.RecordHttpRequest(label, status, elapsed);
            if (_server.Options.Logs.HasFlag(AntiEtcdLogs.Access) && _accessLogger.IsEnabled(LogLevel.Information))
            {
                var line = AccessLog.Format(_server.Time, context, status, elapsed, body, response.WrittenSpan);
                Log.Access(_accessLogger, line);
            }

            body?.Dispose();
        }
    }

    private async Task<(RequestBody? Body, int Status)> ServeAsync(HttpContext context, string path, ApiKind api, PooledBufferWriter response)
    {
        var request = context.Request;
        CheckOriginAndHost(request, path);
        if (context.WebSockets.IsWebSocketRequest)
        {
            // SPEC §7.1: keepalive streams on their route, watch streams on every other path.
            if (api is not (ApiKind.None or ApiKind.LeaseKeepAlive))
            {
                context.Response.Headers.Allow = "POST";
                throw EtcdErrors.UsePost();
            }

            if (path is "/health" or "/metrics" or "/version")
            {
                context.Response.Headers.Allow = path == "/health" ? "GET, HEAD" : "GET";
                throw EtcdErrors.UseGet();
            }

            if (path == PeerPath)
            {
                // A one-node cluster has no peers (403); a peer certificate must chain to peer_ca (SPEC §10.2).
                if (_server.Transport is null || !TlsSettings.IsPeerCertificateAccepted(context, _tls))
                {
                    throw EtcdErrors.AccessDenied();
                }

                await _server.AcceptPeerAsync(context).ConfigureAwait(false);
                return (null, 101);
            }

            ThrowIfStopping();
            var session = new WatchSession(_server, context, QueryFlags(request), ConnectionContext(context));
            await using (session.ConfigureAwait(false))
            {
                await session.RunAsync(keepalive: api == ApiKind.LeaseKeepAlive).ConfigureAwait(false);
            }

            return (null, 101);
        }

        switch (path)
        {
            case "/v3/watch" or "/watch":
                throw EtcdErrors.WatchNeedsWebSocket();
            case "/health":
                RequireMethod(context, "GET, HEAD", HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));
                ThrowIfStopping();
                return (null, await WriteHealthAsync(response, QueryFlags(request).HasFlag(RequestFlags.Serializable), context.RequestAborted).ConfigureAwait(false));
            case "/metrics":
                RequireMethod(context, "GET", HttpMethods.IsGet(request.Method));
                ThrowIfStopping();
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                _server.Metrics.WritePrometheus(response);
                return (null, 200);
            case "/version":
                RequireMethod(context, "GET", HttpMethods.IsGet(request.Method));
                ThrowIfStopping();
                response.Write("{\"etcdserver\":\"3.4.0\",\"etcdcluster\":\"3.4.0\"}"u8);
                return (null, 200);
        }

        if (api == ApiKind.None)
        {
            throw EtcdErrors.NotFound();
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = "POST";
            throw EtcdErrors.UsePost();
        }

        ThrowIfStopping();
        var body = await RequestBody.ReadAsync(context, _server.Options.MaxRequestBytes).ConfigureAwait(false);
        var requestContext = ConnectionContext(context);
        var reply = await _server.InvokeAsync(api, body.Memory, QueryFlags(request), requestContext, context.RequestAborted).ConfigureAwait(false);
        using (var writer = ApiJsonWriter.CreateWriter(response))
        {
            ApiReplyWriter.Write(writer, api, reply);
        }

        return (body, 200);
    }

    /// <summary>
    /// The connection's request context, created once per connection so the auth filter's
    /// <c>InitContext</c> runs once per connection (SPEC §10.6); its flags are set per request.
    /// The user name starts as the CN of a client certificate that chains to <c>ca</c>.
    /// </summary>
    private RequestContext ConnectionContext(HttpContext context)
    {
        var items = context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items;
        if (items?.TryGetValue(typeof(RequestContext), out var cached) == true && cached is RequestContext existing)
        {
            return existing;
        }

        var certificate = context.Connection.ClientCertificate;
        var created = new RequestContext
        {
            ApplyAuthFilter = true,
            RemoteAddress = context.Connection.RemoteIpAddress?.ToString(),
            ClientCertificate = certificate,
            Username = certificate is not null && _tls?.ChainsToCa(certificate) == true ? certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false) : null,
        };
        _server.PrepareContext(created);
        if (items is not null)
        {
            items[typeof(RequestContext)] = created;
        }

        return created;
    }

    /// <summary>SPEC §3.2 step 1 and §10.5: cross-origin and DNS-rebinding guards, client certificates.</summary>
    private void CheckOriginAndHost(HttpRequest request, string path)
    {
        var host = request.Headers.Host.ToString();
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !OriginMatchesHost(origin, host, request.IsHttps))
        {
            throw EtcdErrors.CrossOrigin();
        }

        if (path == PeerPath)
        {
            return;
        }

        if (_loopbackOnly() && host.Length > 0 && !IsIpOrLocalhost(host))
        {
            throw EtcdErrors.HostNotAllowed();
        }

        if (_server.Options.ClientCertAuth && (request.HttpContext.Connection.ClientCertificate is not { } certificate || _tls?.ChainsToCa(certificate) != true))
        {
            throw EtcdErrors.AccessDenied();
        }
    }

    internal static bool OriginMatchesHost(string origin, string host, bool https)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            return false;
        }

        var defaultPort = https ? 443 : 80;
        var (hostName, hostPort) = SplitHost(host);
        var port = hostPort ?? defaultPort;
        return string.Equals(uri.IdnHost.Trim('[', ']'), hostName.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) && uri.Port == port;
    }

    internal static bool IsIpOrLocalhost(string host)
    {
        var (name, _) = SplitHost(host);
        return string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(name.Trim('[', ']'), out _);
    }

    /// <summary>Splits <c>name:port</c>, <c>[v6]:port</c> and bare names.</summary>
    private static (string Name, int? Port) SplitHost(string host)
    {
        var colon = host.LastIndexOf(':');
        var bracket = host.LastIndexOf(']');
        if (colon > bracket && (bracket >= 0 || host.IndexOf(':', StringComparison.Ordinal) == colon))
        {
            return int.TryParse(host.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
                ? (host[..colon], port)
                : (host, -1);
        }

        return (host, null);
    }

    private static void RequireMethod(HttpContext context, string allow, bool allowed)
    {
        if (!allowed)
        {
            context.Response.Headers.Allow = allow;
            throw EtcdErrors.UseGet();
        }
    }

    private void ThrowIfStopping()
    {
        if (_server.IsStopping)
        {
            throw EtcdErrors.Stopping();
        }
    }

    /// <summary>GET /health (SPEC §6.2): <c>{"health":"true"}</c>, or 503 with the reason the node is not ready.</summary>
    private async Task<int> WriteHealthAsync(PooledBufferWriter response, bool serializable, CancellationToken cancellationToken)
    {
        var problem = await _server.HealthProblemAsync(serializable, cancellationToken).ConfigureAwait(false);
        if (problem is null)
        {
            response.Write("{\"health\":\"true\"}"u8);
            return 200;
        }

        using (var writer = ApiJsonWriter.CreateWriter(response))
        {
            writer.WriteStartObject();
            writer.WriteString("health"u8, "false"u8);
            writer.WriteString("reason"u8, problem);
            writer.WriteEndObject();
        }

        return 503;
    }

    private static RequestFlags QueryFlags(HttpRequest request)
    {
        if (!request.QueryString.HasValue)
        {
            return RequestFlags.None;
        }

        var flags = RequestFlags.None;
        var query = request.Query;
        if (query.TryGetValue("serializable", out var serializable) && ApiJsonReader.TryParseFlagValue(serializable.ToString()))
        {
            flags |= RequestFlags.Serializable;
        }

        if (query.TryGetValue("leaderonly", out var leaderOnly) && ApiJsonReader.TryParseFlagValue(leaderOnly.ToString()))
        {
            flags |= RequestFlags.LeaderOnly;
        }

        if (query.TryGetValue("nowaitquorum", out var noWait) && ApiJsonReader.TryParseFlagValue(noWait.ToString()))
        {
            flags |= RequestFlags.NoWaitQuorum;
        }

        return flags;
    }

    private static string MetricLabel(ApiKind api, string path, HttpContext context) =>
        api == ApiKind.LeaseKeepAlive && context.WebSockets.IsWebSocketRequest ? "keepalive_ws"
        : api != ApiKind.None ? ApiRoutes.Name(api)
        : path switch
        {
            "/health" => "health",
            "/metrics" => "metrics",
            "/version" => "version",
            _ when context.WebSockets.IsWebSocketRequest => "watch",
            _ => "other",
        };

    private static async Task WriteResponseAsync(HttpContext context, int status, PooledBufferWriter body)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = status;
        response.ContentType ??= "application/json";
        response.ContentLength = body.WrittenCount;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        await response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
