using System.Security.Cryptography.X509Certificates;

namespace AntiEtcd.Server;

/// <summary>Who made a request and with which flags (SPEC §13.2).</summary>
/// <remarks>
/// The HTTP layer creates one per request (or per WebSocket connection). An embedder may pass
/// one to any call; the server only reads the flags. Not thread-safe: use one per request.
/// </remarks>
public sealed class RequestContext
{
    /// <summary>Creates an empty context.</summary>
    public RequestContext()
        : this(new Dictionary<string, object?>(StringComparer.Ordinal))
    {
    }

    /// <summary>A context that shares another's <see cref="Items"/> (one connection, several requests).</summary>
    internal RequestContext(IDictionary<string, object?> items) => Items = items;

    /// <summary>Fail with 503 U2 unless this node is the leader (SPEC §3.5).</summary>
    public bool LeaderOnly { get; set; }

    /// <summary>Serve reads from local state (SPEC §8.5).</summary>
    public bool Serializable { get; set; }

    /// <summary>Do not wait for readiness (SPEC §8.4).</summary>
    public bool NoWaitQuorum { get; set; }

    /// <summary>Run the auth filter for this call; the HTTP layer always sets it.</summary>
    public bool ApplyAuthFilter { get; set; }

    /// <summary>The user name set by the auth filter, or the CN of the client certificate.</summary>
    public string? Username { get; set; }

    /// <summary>The client certificate of the connection, if any.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>The socket's peer address; never taken from <c>X-Forwarded-For</c>.</summary>
    public string? RemoteAddress { get; set; }

    /// <summary>Free-form state for filters, shared by the requests of one connection.</summary>
    public IDictionary<string, object?> Items { get; }

    /// <summary>A write decided in this term (a lease expiry) is proposed only while the node leads in it; 0: any term.</summary>
    internal ulong RequiredTerm { get; init; }

    /// <summary>True once the auth filter's <c>InitContext</c> ran for this context's connection.</summary>
    internal bool FilterInitialized { get; set; }
}
