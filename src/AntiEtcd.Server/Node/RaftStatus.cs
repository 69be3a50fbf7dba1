using AntiEtcd.Raft;

namespace AntiEtcd.Server.Node;

/// <summary>What the Raft loop publishes after each Ready, for readiness checks and status.</summary>
/// <param name="Role">The core's role.</param>
/// <param name="Term">The current term.</param>
/// <param name="Leader">The known leader, or none.</param>
/// <param name="Commit">The commit index.</param>
/// <param name="LeaderReadyIndex">On a leader: the index of its term's first entry (the no-op); once applied, the
/// leader has everything committed before its term (SPEC §8.4 readiness L).</param>
internal sealed record RaftStatus(AntiEtcd.Raft.RaftRole Role, ulong Term, NodeId Leader, ulong Commit, ulong LeaderReadyIndex);
