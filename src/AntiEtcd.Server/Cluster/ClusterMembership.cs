using AntiEtcd.Raft;
using AntiEtcd.Server.Node;

namespace AntiEtcd.Server.Cluster;

/// <summary>The static member list as the transport sees it: this node, its peers, the cluster_id (SPEC §8.1).</summary>
/// <remarks>Immutable and thread-safe. The full validation of <c>--cluster</c> (duplicates, ports, node_id
/// syntax) belongs to option validation; this class only refuses what it cannot work with.</remarks>
internal sealed class ClusterMembership
{
    /// <summary>The WebSocket path peers dial (SPEC §3.1).</summary>
    public const string PeerPath = "/antietcd/peer";

    private readonly Dictionary<string, ClusterMember> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<NodeId, ClusterMember> _byId = [];

    /// <summary>Builds the membership of <paramref name="localName"/> in <paramref name="cluster"/> (node_id → URL).</summary>
    /// <exception cref="ArgumentException">This node is not listed, a URL is not absolute http(s), or two names share a member_id.</exception>
    public ClusterMembership(string localName, IReadOnlyDictionary<string, string> cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var peers = new List<ClusterMember>();
        foreach (var (name, url) in cluster)
        {
            var member = new ClusterMember(name, new NodeId(NodeIdentity.MemberId(name)), url, ToPeerUri(url));
            if (!_byId.TryAdd(member.Id, member) || !_byName.TryAdd(name, member))
            {
                throw new ArgumentException($"Duplicate member {name}.", nameof(cluster));
            }

            if (string.Equals(name, localName, StringComparison.Ordinal))
            {
                Local = member;
            }
            else
            {
                peers.Add(member);
            }
        }

        if (Local is null)
        {
            throw new ArgumentException($"The cluster list does not name this node ({localName}).", nameof(cluster));
        }

        peers.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        Peers = peers;
        ClusterId = NodeIdentity.ClusterId(cluster.Keys);
    }

    /// <summary>This node.</summary>
    public ClusterMember Local { get; }

    /// <summary>Every other member, ordered by node_id.</summary>
    public IReadOnlyList<ClusterMember> Peers { get; }

    /// <summary>The cluster_id of SPEC §8.1.</summary>
    public ulong ClusterId { get; }

    /// <summary>The member named <paramref name="name"/>, or null.</summary>
    public ClusterMember? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The member with <paramref name="id"/>, or null.</summary>
    public ClusterMember? Find(NodeId id) => _byId.GetValueOrDefault(id);

    /// <summary>The peer URL of a client URL: http → ws, https → wss, path <see cref="PeerPath"/>.</summary>
    public static Uri ToPeerUri(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Not an http(s) URL: {url}", nameof(url));
        }

        return new UriBuilder(uri)
        {
            Scheme = uri.Scheme == Uri.UriSchemeHttps ? Uri.UriSchemeWss : Uri.UriSchemeWs,
            Path = PeerPath,
            Query = string.Empty,
            Fragment = string.Empty,
        }.Uri;
    }
}
