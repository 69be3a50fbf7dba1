using AntiEtcd.Api;

namespace AntiEtcd.Server;

public sealed partial class AntiEtcdServer
{
    /// <summary>This node's status (SPEC §6.1): answered locally and at once, never forwarded.</summary>
    /// <param name="cancellationToken">Unused: the answer never waits.</param>
    public Task<StatusResponse> StatusAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfStopping();
        var applied = Applied;
        var raft = RaftState;
        var response = new StatusResponse
        {
            Header = new ResponseHeader { Revision = applied.Revision },
            Version = ProductVersion,
            DbSize = DataDirectorySize(),
            Leader = raft.LeaderNodeId is null ? 0 : Node.NodeIdentity.MemberId(raft.LeaderNodeId),
            RaftIndex = applied.AppliedIndex,
            RaftTerm = raft.Term,
            RaftAppliedIndex = applied.AppliedIndex,
            Errors = raft.LeaderNodeId is null ? ["etcdserver: no leader"] : [],
            DbSizeInUse = applied.SizeBytes,
            NodeId = NodeId,
            LeaderNodeId = raft.LeaderNodeId ?? "",
            RaftState = raft.Role switch
            {
                RaftRole.Leader => "leader",
                RaftRole.Candidate => "candidate",
                _ => "follower",
            },
            Cluster = _options.Cluster,
            Followers = _options.Cluster is null ? null : raft.Followers,
            CompactRevision = applied.CompactRevision,
            ImportState = ImportState,
        };
        FillHeader(response.Header);
        return Task.FromResult(response);
    }
}
