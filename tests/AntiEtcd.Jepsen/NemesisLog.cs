using System.Globalization;

namespace AntiEtcd.Jepsen;

/// <summary>
/// The nemesis's actions with monotonic timestamps (the same clock as the histories), one per line:
/// <c>&lt;ms since run start&gt; &lt;absolute ns&gt; &lt;event&gt;</c>. Also copied into every node's log.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class NemesisLog : IDisposable
{
    private readonly Lock _lock = new();
    private readonly StreamWriter? _file;
    private readonly List<string> _lines = [];
    private readonly long _origin;

    /// <summary>Creates the log; <paramref name="path"/> null keeps it in memory only.</summary>
    /// <param name="path">The file to write, or null.</param>
    /// <param name="originNanos">Run start (monotonic ns), for the relative column.</param>
    public NemesisLog(string? path, long originNanos)
    {
        _origin = originNanos;
        if (path is not null)
        {
            _file = new StreamWriter(path, append: false) { AutoFlush = true };
        }
    }

    /// <summary>Every line so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Appends an event.</summary>
    public void Write(string text)
    {
        long now = MonotonicClock.NowNanos();
        var line = string.Create(CultureInfo.InvariantCulture, $"{(now - _origin) / 1_000_000.0,10:0.0} {now} {text}");
        lock (_lock)
        {
            _lines.Add(line);
            _file?.WriteLine(line);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _file?.Dispose();
        }
    }
}
