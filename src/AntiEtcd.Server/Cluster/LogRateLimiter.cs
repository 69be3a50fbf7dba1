namespace AntiEtcd.Server.Cluster;

/// <summary>Lets one log line per key through per interval (SPEC §10.3: authentication failures are rate-limited).</summary>
/// <remarks>Thread-safe. Keys are few (remote addresses, peer names); the table is cleared when it grows large,
/// so a scan of many addresses cannot grow memory without bound.</remarks>
internal sealed class LogRateLimiter(TimeProvider time, TimeSpan interval)
{
    private const int MaxKeys = 1024;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _last = new(StringComparer.Ordinal);

    /// <summary>Whether a line for <paramref name="key"/> may be logged now.</summary>
    public bool Allow(string key)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            if (_last.TryGetValue(key, out var last) && time.GetElapsedTime(last, now) < interval)
            {
                return false;
            }

            if (_last.Count >= MaxKeys)
            {
                _last.Clear();
            }

            _last[key] = now;
            return true;
        }
    }
}
