namespace AntiEtcd.LoadGen;

/// <summary>What one worker counted; owned by that worker until the run ends, then merged.</summary>
internal sealed class WorkerState
{
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Requests answered with a status other than 200 inside the window.</summary>
    public long Non200 { get; set; }

    /// <summary>Requests that got no answer inside the window (connection errors, abandoned at the end).</summary>
    public long Failures { get; set; }

    /// <summary>The first non-200 or failure seen, for the report.</summary>
    public string? FirstError { get; set; }

    /// <summary>Set when the worker gave up because every request failed (the server is gone).</summary>
    public bool GaveUp { get; set; }
}
