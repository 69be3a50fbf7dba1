using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Text;

namespace AntiEtcd.Client;

/// <summary>
/// A client of the etcd v3 JSON gateway as AntiEtcd serves it, over HTTP/1.1 with endpoint failover
/// (SPEC §12.3). Typed calls (<c>RangeAsync</c>, <c>PutAsync</c>, …) decode the answers into the
/// <c>AntiEtcd.Api</c> DTOs; <see cref="PostAsync"/> gives the raw JSON body.
/// </summary>
/// <remarks>
/// <para>
/// Failover: each request tries every endpoint at most once, starting from the one that last
/// answered. A <see cref="RequestKind.Read"/> moves on after a connection error, a timeout, a 502
/// or a 503. A <see cref="RequestKind.Write"/> moves on only when the request surely did not run:
/// the body was never sent (no connection could be made), or the answer was a 502 or a 503 whose
/// message ends with <see cref="NotExecutedSuffix"/>. Any other error answer (400, 404, …) ends the
/// request at once. When a request ends without success, <see cref="AntiEtcdClientException"/>
/// lists every attempt.
/// </para>
/// <para>Thread-safety: all members may be called concurrently. Dispose once, after the last call.</para>
/// </remarks>
public sealed partial class AntiEtcdClient : IDisposable
{
    /// <summary>The suffix of a 503 message that says the request did not run (SPEC §3.6, NE).</summary>
    public const string NotExecutedSuffix = " (request not executed, safe to retry)";

    /// <summary>The suffix of a 503 message that says the request may have run (SPEC §3.6, OU).</summary>
    public const string OutcomeUnknownSuffix = " (outcome unknown, the request may have been applied)";

    private readonly HttpClient _http;
    private readonly Uri[] _endpoints;
    private readonly ClientTls _tls;
    private readonly AntiEtcdClientOptions _options;
    private int _preferred;

    /// <summary>Creates a client; no connection is made until the first request.</summary>
    /// <param name="options">The settings; read once.</param>
    /// <exception cref="ArgumentException">No endpoint, an endpoint that is not an absolute http(s) URL, a non-positive timeout, or incomplete TLS settings.</exception>
    /// <exception cref="IOException">A certificate, key or CA file cannot be read.</exception>
    public AntiEtcdClient(AntiEtcdClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoints is null || options.Endpoints.Count == 0)
        {
            throw new ArgumentException("at least one endpoint is needed", nameof(options));
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("the timeout must be positive", nameof(options));
        }

        _endpoints = new Uri[options.Endpoints.Count];
        for (int i = 0; i < _endpoints.Length; i++)
        {
            _endpoints[i] = NormalizeEndpoint(options.Endpoints[i]);
        }

        _options = options;
        _tls = ClientTls.Load(options);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.Timeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            SslOptions = CreateSslOptions(),
        };
        _http = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    /// <summary>The endpoints, normalized (no trailing slash), in the order given.</summary>
    public IReadOnlyList<Uri> Endpoints => _endpoints;

    /// <summary>The endpoint the next request starts with: the one that last answered.</summary>
    public Uri PreferredEndpoint => _endpoints[Volatile.Read(ref _preferred)];

    /// <summary>The position of <see cref="PreferredEndpoint"/> in <see cref="Endpoints"/>.</summary>
    public int PreferredIndex => Volatile.Read(ref _preferred);

    /// <summary>The options this client was created with.</summary>
    public AntiEtcdClientOptions Options => _options;

    /// <summary>
    /// Posts <paramref name="body"/> to <paramref name="path"/> with endpoint failover and returns the
    /// raw 200 body.
    /// </summary>
    /// <param name="path">An API route, e.g. <c>/v3/kv/range</c>, optionally with a query string.</param>
    /// <param name="body">The JSON request body.</param>
    /// <param name="kind">Read or write: decides which failures may move on to the next endpoint.</param>
    /// <param name="cancellationToken">Stops waiting; a write that was already sent may still run.</param>
    /// <exception cref="AntiEtcdClientException">An error answer, or every endpoint that could be tried failed.</exception>
    public async Task<ApiResponse> PostAsync(string path, ReadOnlyMemory<byte> body, RequestKind kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var errors = new List<EndpointError>();
        int start = Volatile.Read(ref _preferred);
        for (int attempt = 0; attempt < _endpoints.Length; attempt++)
        {
            int index = (start + attempt) % _endpoints.Length;
            var (response, error) = await AttemptAsync(_endpoints[index], path, body, cancellationToken).ConfigureAwait(false);
            if (response is not null)
            {
                Volatile.Write(ref _preferred, index);
                return response;
            }

            errors.Add(error!);
            if (!MayMoveOn(error!, kind))
            {
                break;
            }
        }

        throw new AntiEtcdClientException(errors);
    }

    /// <summary>Posts to one endpoint only, with no failover (status asks every endpoint itself).</summary>
    /// <param name="endpoint">The endpoint, e.g. <c>http://127.0.0.1:2379</c>.</param>
    /// <param name="path">An API route.</param>
    /// <param name="body">The JSON request body.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="AntiEtcdClientException">The attempt failed.</exception>
    public async Task<ApiResponse> PostToAsync(Uri endpoint, string path, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(path);
        var (response, error) = await AttemptAsync(NormalizeEndpoint(endpoint), path, body, cancellationToken).ConfigureAwait(false);
        return response ?? throw new AntiEtcdClientException([error!]);
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    /// <summary>Whether a failed attempt allows the same request on the next endpoint (SPEC §12.3).</summary>
    internal static bool MayMoveOn(EndpointError error, RequestKind kind)
    {
        if (error.StatusCode == 0)
        {
            return kind == RequestKind.Read || !error.MayHaveExecuted;
        }

        if (error.StatusCode == 502)
        {
            return true;
        }

        if (error.StatusCode == 503)
        {
            return kind == RequestKind.Read || error.Message.EndsWith(NotExecutedSuffix, StringComparison.Ordinal);
        }

        return false;
    }

    internal static Uri NormalizeEndpoint(Uri endpoint)
    {
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"endpoint {endpoint} is not an http:// or https:// URL", nameof(endpoint));
        }

        var text = endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(text, UriKind.Absolute);
    }

    internal static Uri Combine(Uri endpoint, string path) => new(endpoint.OriginalString + path, UriKind.Absolute);

    internal SslClientAuthenticationOptions CreateSslOptions()
    {
        var ssl = new SslClientAuthenticationOptions();
        if (_tls.ClientCertificate is not null)
        {
            ssl.ClientCertificates = [_tls.ClientCertificate];
        }

        if (_tls.CaCertificates is not null)
        {
            ssl.RemoteCertificateValidationCallback = _tls.ValidateServerCertificate;
        }

        return ssl;
    }

    internal void ConfigureWebSocket(System.Net.WebSockets.ClientWebSocketOptions options)
    {
        if (_tls.ClientCertificate is not null)
        {
            options.ClientCertificates = [_tls.ClientCertificate];
        }

        if (_tls.CaCertificates is not null)
        {
            options.RemoteCertificateValidationCallback = _tls.ValidateServerCertificate;
        }
    }

    private async Task<(ApiResponse? Response, EndpointError? Error)> AttemptAsync(Uri endpoint, string path, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var url = Combine(endpoint, path);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        using var content = new SendTrackingContent(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (new ApiResponse(endpoint, bytes), null);
            }

            var (message, code) = ApiResponseReader.ReadError(bytes, response);
            bool mayHaveExecuted = (int)response.StatusCode == 503 && !message.EndsWith(NotExecutedSuffix, StringComparison.Ordinal);
            return (null, new EndpointError(url, (int)response.StatusCode, code, message, mayHaveExecuted));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var message = $"request timed out after {(long)_options.Timeout.TotalMilliseconds} ms";
            return (null, new EndpointError(url, 0, 0, message, content.Started));
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Net.Sockets.SocketException or IOException)
        {
            // A raw SocketException or IOException can escape the connection pool while the server is being killed
            // (found by the Jepsen suite, docs/jepsen.md): it is an endpoint failure like any other, not a crash.
            return (null, new EndpointError(url, 0, 0, Describe(ex), content.Started));
        }
    }

    /// <summary>The innermost useful text of a transport failure, e.g. <c>Connection refused (127.0.0.1:2379)</c>.</summary>
    internal static string Describe(Exception ex)
    {
        var text = new StringBuilder(ex.Message);
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            // Inner exceptions often repeat the outer message ("Connection refused (host:port)" / "Connection refused").
            if (!text.ToString().Contains(inner.Message, StringComparison.Ordinal))
            {
                text.Append(": ").Append(inner.Message);
            }
        }

        return text.ToString();
    }
}
