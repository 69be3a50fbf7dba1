using AntiEtcd.Api;

namespace AntiEtcd.Server;

public sealed partial class AntiEtcdServer
{
    /// <summary>Every peer of a cluster node with its connection state and traffic counters (none on a single node).</summary>
    internal IReadOnlyList<Cluster.PeerReport> PeerReports()
    {
        if (_membership is null || _transport is null)
        {
            return [];
        }

        var reports = new Cluster.PeerReport[_membership.Peers.Count];
        for (var i = 0; i < reports.Length; i++)
        {
            var peer = _membership.Peers[i];
            reports[i] = new Cluster.PeerReport(peer.Name, _connectedPeers.ContainsKey(peer.Id), _transport.GetCounters(peer.Id));
        }

        return reports;
    }

    /// <summary>The Raft commit index: the core's on a cluster node, the applied index on a single node (it commits what it applies).</summary>
    internal long CommitIndex => (long)(_raft is { } raft ? raft.Status.Commit : Applied.AppliedIndex);

    /// <summary>This node's status (SPEC §6.1): answered locally and at once, never forwarded.</summary>
    /// <param name="cancellationToken">Unused: the answer never waits.</param>
    public Task<StatusResponse> StatusAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfStopping();
        var applied = Applied;
        var raft = RaftState;
        var status = _raft?.Status;
        List<string> errors = [];
        if (status is null ? raft.LeaderNodeId is null : status.Leader.IsNone)
        {
            errors.Add("etcdserver: no leader");
        }

        if (_membership is not null)
        {
            foreach (var peer in _membership.Peers)
            {
                if (!_connectedPeers.ContainsKey(peer.Id))
                {
                    errors.Add($"peer {peer.Name} is unreachable");
                }
            }
        }

        var leaderName = status is null ? raft.LeaderNodeId : status.Leader.IsNone ? null : NameOf(status.Leader);
        var role = status is null ? raft.Role : status.Role switch
        {
            AntiEtcd.Raft.RaftRole.Leader => RaftRole.Leader,
            AntiEtcd.Raft.RaftRole.Follower => RaftRole.Follower,
            _ => RaftRole.Candidate,
        };
        var response = new StatusResponse
        {
            Header = new ResponseHeader { Revision = applied.Revision },
            Version = ProductVersion,
            DbSize = DataDirectorySize(),
            Leader = leaderName is null ? 0 : Node.NodeIdentity.MemberId(leaderName),
            RaftIndex = status?.Commit ?? applied.AppliedIndex,
            RaftTerm = status?.Term ?? raft.Term,
            RaftAppliedIndex = applied.AppliedIndex,
            Errors = errors,
            DbSizeInUse = applied.SizeBytes,
            NodeId = NodeId,
            LeaderNodeId = leaderName ?? "",
            RaftState = role switch
            {
                RaftRole.Leader => "leader",
                RaftRole.Candidate => "candidate",
                _ => "follower",
            },
            Cluster = _options.Cluster,
            Followers = _options.Cluster is null ? null : status is null ? raft.Followers : role == RaftRole.Leader ? CurrentFollowers() : [],
            CompactRevision = applied.CompactRevision,
            ImportState = ImportState,
        };
        FillHeader(response.Header);
        return Task.FromResult(response);
    }
}
