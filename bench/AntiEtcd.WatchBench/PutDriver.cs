using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AntiEtcd.LoadGen;

namespace AntiEtcd.WatchBench;

/// <summary>
/// Sends puts under the benchmark prefix on a fixed schedule (open loop): put <c>i</c> is due at
/// start + i / rate whatever earlier answers do, so a slow server shows up as latency and backlog,
/// not as a lower offered rate. Each value starts with the Stopwatch timestamp taken just before
/// the send, which the watchers turn into a delivery latency.
/// </summary>
internal sealed class PutDriver : IDisposable
{
    private static readonly MediaTypeHeaderValue s_json = new("application/json");
    private readonly WatchBenchOptions _options;
    private readonly HttpClient _client;
    private readonly Uri _putUri;
    private readonly string[] _keys;
    private readonly Lock _gate = new();
    private readonly double _nsPerTick = 1e9 / Stopwatch.Frequency;
    private long _acked;
    private long _non200;
    private long _failures;
    private string? _firstError;

    public PutDriver(WatchBenchOptions options)
    {
        _options = options;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.PutConnections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        _client = new HttpClient(handler)
        {
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        _putUri = new Uri(options.Url, "v3/kv/put");
        _keys = new string[options.Keys];
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i] = Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{WatchBenchOptions.Prefix}{i:D6}")));
        }
    }

    /// <summary>Puts answered 200.</summary>
    public long Acked => Interlocked.Read(ref _acked);

    public long Non200 => Interlocked.Read(ref _non200);

    public long Failures => Interlocked.Read(ref _failures);

    public string? FirstError => _firstError;

    /// <summary>Puts sent.</summary>
    public long Sent { get; private set; }

    /// <summary>Put latency (send to answer) of the puts sent inside the measured window.</summary>
    public LatencyHistogram PutLatency { get; } = new();

    /// <summary>The largest delay between a put's due time and its send: how far the client fell behind its schedule.</summary>
    public double MaxScheduleLagMs { get; private set; }

    public void Dispose() => _client.Dispose();

    /// <summary>Sends every put due in [start, end) and waits for all answers.</summary>
    public async Task RunAsync(long start, long windowStart, long end, CancellationToken cancellationToken)
    {
        var ticksPerPut = Stopwatch.Frequency / (double)_options.Rate;
        var pending = new List<Task>();
        var filler = new string('|', _options.ValueSize - 19);
        for (long i = 0; ; i++)
        {
            var due = start + (long)(i * ticksPerPut);
            if (due >= end)
            {
                break;
            }

            var now = Stopwatch.GetTimestamp();
            if (due > now)
            {
                var wait = TimeSpan.FromSeconds((due - now) / (double)Stopwatch.Frequency);
                if (wait >= TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(wait, cancellationToken);
                }

                now = Stopwatch.GetTimestamp();
            }

            var lag = (now - due) * _nsPerTick / 1e6;
            if (lag > MaxScheduleLagMs)
            {
                MaxScheduleLagMs = lag;
            }

            var key = _keys[i % _keys.Length];
            pending.Add(PutAsync(key, filler, windowStart, end, cancellationToken));
            Sent++;
        }

        await Task.WhenAll(pending);
    }

    private async Task PutAsync(string key, string filler, long windowStart, long windowEnd, CancellationToken cancellationToken)
    {
        try
        {
            var sent = Stopwatch.GetTimestamp();
            var value = Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{sent:D19}{filler}")));
            using var request = new HttpRequestMessage(HttpMethod.Post, _putUri);
            request.Content = new ByteArrayContent(Encoding.ASCII.GetBytes($$"""{"key":"{{key}}","value":"{{value}}"}"""));
            request.Content.Headers.ContentType = s_json;
            using var response = await _client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var done = Stopwatch.GetTimestamp();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref _non200);
                Interlocked.CompareExchange(ref _firstError, $"HTTP {(int)response.StatusCode}: {body}", null);
                return;
            }

            Interlocked.Increment(ref _acked);
            if (sent >= windowStart && sent < windowEnd)
            {
                lock (_gate)
                {
                    PutLatency.Record((long)((done - sent) * _nsPerTick));
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            Interlocked.Increment(ref _failures);
            Interlocked.CompareExchange(ref _firstError, ex.Message, null);
        }
    }
}
