using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using AntiEtcd.Api;

namespace AntiEtcd.Server;

/// <summary>
/// An optional filter on client requests (SPEC §10.6), given as <see cref="AntiEtcdOptions.AuthFilter"/>
/// or loaded by <c>--auth_filter PATH.dll:Namespace.Type</c>.
/// </summary>
/// <remarks>
/// Consulted on the node that receives the client request, for HTTP and WebSocket requests and for
/// in-process calls whose <see cref="RequestContext.ApplyAuthFilter"/> is true. Methods may be called
/// concurrently for different requests: implementations must be thread-safe. An exception thrown
/// by a hook fails that request (as 403 <c>Access denied</c>), never the server.
/// </remarks>
public interface IAuthFilter
{
    /// <summary>Runs once when the server starts.</summary>
    /// <param name="server">The server the filter guards.</param>
    /// <param name="ct">Cancels the start.</param>
    ValueTask InitAsync(AntiEtcdServer server, CancellationToken ct);

    /// <summary>Runs once per connection (per call for in-process callers), before any other hook.</summary>
    /// <param name="context">The connection's context; set <see cref="RequestContext.Username"/> or <see cref="RequestContext.Items"/> here.</param>
    /// <param name="clientCertificate">The TLS client certificate, if any.</param>
    void InitContext(RequestContext context, X509Certificate2? clientCertificate);

    /// <summary>Compaction and the lease APIs (also each keepalive WebSocket message); false answers 403.</summary>
    /// <param name="context">The request's context.</param>
    /// <param name="api">The canonical API name, e.g. <c>lease_grant</c>.</param>
    /// <param name="body">The request body as JSON.</param>
    bool FilterApi(RequestContext context, string api, JsonObject body);

    /// <summary>
    /// Range, put, deleterange and txn, each expressed as a txn. Return it, a changed one, or null
    /// (403). For range, put and deleterange the result must keep the single success op's kind.
    /// </summary>
    /// <param name="context">The request's context.</param>
    /// <param name="txn">The request as a txn.</param>
    TxnRequest? FilterTxn(RequestContext context, TxnRequest txn);

    /// <summary>May change the response (for example, remove kvs) of a request that <see cref="FilterTxn"/> let through.</summary>
    /// <param name="context">The request's context.</param>
    /// <param name="txn">The txn that ran (as returned by <see cref="FilterTxn"/>).</param>
    /// <param name="response">The response, as a txn response; change it in place.</param>
    void FilterTxnResponse(RequestContext context, TxnRequest txn, TxnResponse response);

    /// <summary>Each outgoing watch message: return it, a changed one, or null to drop it.</summary>
    /// <param name="context">The watch connection's context.</param>
    /// <param name="message">The message.</param>
    WatchResponse? FilterWatchMessage(RequestContext context, WatchResponse message);
}
