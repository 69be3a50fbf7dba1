using AntiEtcd.Raft;

namespace AntiEtcd.Server.Cluster;

/// <summary>One node of the static membership (SPEC §8.1).</summary>
/// <param name="Name">The node_id.</param>
/// <param name="Id">The member_id derived from <paramref name="Name"/>.</param>
/// <param name="Url">The node's client URL as configured (<c>http://</c> or <c>https://</c>).</param>
/// <param name="PeerUri">Where peers dial it: the same host and port, <c>ws</c>/<c>wss</c>, path <c>/antietcd/peer</c>.</param>
internal sealed record ClusterMember(string Name, NodeId Id, string Url, Uri PeerUri);
