namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>
/// The system clock for one node, whose periodic timers (the Raft loop's ticks) can be stopped: with its peer links
/// held (<see cref="TestCluster.Hold"/>) this stands in for SIGSTOP in-process. Without ticks a paused leader neither
/// steps down (check quorum) nor campaigns, so it still believes it leads when it resumes, as a stopped process does;
/// with its links held it hears nothing newer until then. Timestamps keep advancing (a stopped process's monotonic
/// clock does too) and one-shot timers (timeouts, delays) still fire, so requests it serves meanwhile keep their
/// deadlines.
/// </summary>
public sealed class PausableClock : TimeProvider
{
    private volatile bool _paused;

    public override long TimestampFrequency => System.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => System.LocalTimeZone;

    public override long GetTimestamp() => System.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow();

    /// <summary>Drops every tick of a periodic timer from now until <see cref="ResumeTicks"/>.</summary>
    public void PauseTicks() => _paused = true;

    /// <summary>Periodic timers fire again; the ticks missed meanwhile are not made up (a resumed process gets one).</summary>
    public void ResumeTicks() => _paused = false;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero)
        {
            return System.CreateTimer(callback, state, dueTime, period);
        }

        return System.CreateTimer(
            s =>
            {
                if (!_paused)
                {
                    callback(s);
                }
            },
            state,
            dueTime,
            period);
    }
}
