namespace AntiEtcd.Server.Cluster;

/// <summary>A client request forwarded by a follower to the leader (SPEC §8.5), one <see cref="PeerFrameType.ForwardRequest"/> frame.</summary>
/// <param name="Id">Chosen by the follower; the reply carries it back.</param>
/// <param name="RemainingMs">The follower's remaining outcome time (SPEC §8.4).</param>
/// <param name="Kind">What is forwarded.</param>
/// <param name="Command">For <see cref="ForwardKind.Command"/>: the encoded log command.</param>
/// <param name="LeaseId">For keepalive and time-to-live: the lease.</param>
/// <param name="Keys">For time-to-live: whether the keys are wanted.</param>
internal sealed record ForwardRequest(ulong Id, uint RemainingMs, ForwardKind Kind, ReadOnlyMemory<byte> Command, long LeaseId, bool Keys);
