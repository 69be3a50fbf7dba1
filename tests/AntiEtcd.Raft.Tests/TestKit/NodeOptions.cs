
namespace AntiEtcd.Raft.Tests.TestKit;

/// <summary>Per-node settings for test clusters (a test-side mirror of <see cref="RaftConfig"/>'s options).</summary>
internal sealed record NodeOptions
{
    public int ElectionTicks { get; init; } = 10;
    public int HeartbeatTicks { get; init; } = 1;
    public bool PreVote { get; init; }
    public bool CheckQuorum { get; init; }
    public int Priority { get; init; }
    public int MaxInflight { get; init; } = 256;
    public ulong MaxSizePerMessage { get; init; } = ulong.MaxValue;
    public bool InMemory { get; init; }
    public bool IncompleteState { get; init; }
    public RaftBugs Bugs { get; init; }
}
