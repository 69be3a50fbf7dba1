namespace AntiEtcd.Server.Tests.Golden;

/// <summary>What one line of the replay manifest does.</summary>
internal enum GoldenStepKind
{
    /// <summary>Replay a capture and record our answer.</summary>
    Run,

    /// <summary>A setup request that must answer 200; not a capture.</summary>
    Do,

    /// <summary>Move the fake clock forward.</summary>
    Advance,

    /// <summary>Run the leader's lease-expiry check now (instead of waiting for its 500 ms timer).</summary>
    Expire,

    /// <summary>A capture accounted for but not replayed (it needs a cluster).</summary>
    Skip,
}
