using System.Diagnostics.CodeAnalysis;

namespace AntiEtcd.Server;

public sealed partial class AntiEtcdOptions
{
    /// <summary>Set by the parser when an option of antietcd's etcd_proxy mode was given (refused, SPEC §11.3).</summary>
    internal bool EtcdProxyRequested { get; set; }

    /// <summary>Parses a command line into options (SPEC §11.1); <c>--help</c> and <c>--version</c> are ignored here.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentException">A usage error.</exception>
    public static AntiEtcdOptions Parse(string[] args) => AntiEtcdCommandLine.Parse(args).Options;

    /// <summary>Checks the combination of options, as the server does before it starts.</summary>
    /// <exception cref="ArgumentException">An invalid option; the message names it.</exception>
    public void Validate()
    {
        if (EtcdProxyRequested)
        {
            throw new ArgumentException("etcd_proxy mode is not supported");
        }

        if (!UseBase64)
        {
            throw new ArgumentException("use_base64=0 is not supported", nameof(UseBase64));
        }

        Require(Port is >= 0 and <= 65535, nameof(Port), "must be between 0 and 65535");
        Require(MaxRequestBytes >= 1, nameof(MaxRequestBytes), "must be at least 1");
        Require(MaxTxnOps >= 1, nameof(MaxTxnOps), "must be at least 1");
        Require(MaxWatchesPerConnection >= 1, nameof(MaxWatchesPerConnection), "must be at least 1");
        Require(HeartbeatTimeout >= 1, nameof(HeartbeatTimeout), "must be at least 1 ms");
        Require(ElectionTimeout >= 2 * (long)HeartbeatTimeout, nameof(ElectionTimeout), "must be at least 2 × heartbeat_timeout");
        foreach (var (name, value) in new[]
                 {
                     (nameof(LeaderPriority), LeaderPriority), (nameof(WaitQuorumTimeout), WaitQuorumTimeout),
                     (nameof(ForwardTimeout), ForwardTimeout), (nameof(ReplicationTimeout), ReplicationTimeout),
                     (nameof(ReconnectInterval), ReconnectInterval), (nameof(WsKeepaliveInterval), WsKeepaliveInterval),
                     (nameof(PersistInterval), PersistInterval), (nameof(CompactRevisions), CompactRevisions),
                     (nameof(WatchProgressNotifyInterval), WatchProgressNotifyInterval),
                 })
        {
            Require(value >= 0, name, "must not be negative");
        }

        Require(!string.IsNullOrWhiteSpace(Ip), nameof(Ip), "must be an address");
        ValidateNodeId(NodeId);
        Require((Cert is null) == (Key is null), nameof(Cert), "cert and key must be given together");
        if (ClientCertAuth)
        {
            Require(Cert is not null && Ca is not null, nameof(ClientCertAuth), "client_cert_auth requires cert, key and ca");
        }

        ValidatePeerTls();

        ValidateCluster();

        Require(SnapshotEntries >= 1, nameof(SnapshotEntries), "must be at least 1");
        Require(ImportAntietcd is null || ImportAntietcd.Length > 0, nameof(ImportAntietcd), "must be a file path");

        Require(PersistFilterType is null || PersistFilterType.Length > 0, nameof(PersistFilter), "must be PATH.dll:Namespace.Type");
    }

    /// <summary>SPEC §10.2: <c>peer_cert</c>/<c>peer_key</c> and <c>peer_ca</c>. The files are read later, at start.</summary>
    private void ValidatePeerTls()
    {
        Require(PeerCert is null || PeerCert.Length > 0, nameof(PeerCert), "must be a PEM file or PEM text");
        Require(PeerKey is null || PeerKey.Length > 0, nameof(PeerKey), "must be a PEM file or PEM text");
        Require(PeerCa is null || PeerCa.Length > 0, nameof(PeerCa), "must be a PEM file or PEM text");
        // Defaulting only one of them to cert/key would pair a certificate with another certificate's key.
        Require((PeerCert is null) == (PeerKey is null), nameof(PeerCert), "peer_cert and peer_key must be given together");

        // The listener checks a peer by its TLS client certificate: on plain HTTP no peer could ever pass.
        Require(PeerCa is null || Cert is not null, nameof(PeerCa), "peer_ca requires cert and key (peers are checked by their TLS client certificate)");
    }

    /// <summary>
    /// Checks <c>cluster</c>, <c>node_id</c>, <c>cluster_key</c> and <c>cluster_key_file</c> together (SPEC §8.1,
    /// §10.3). Needs no file or network, so the command-line parser runs it too and a wrong cluster setup is a
    /// usage error (exit 2); the key file itself is read at start, where an unreadable one is a start failure.
    /// </summary>
    /// <exception cref="ArgumentException">The message names the option with its command-line name.</exception>
    internal void ValidateCluster()
    {
        // Both at once is ambiguous even without a cluster: one key would be silently ignored.
        Check(ClusterKey is null || ClusterKeyFile is null, nameof(ClusterKey), "give --cluster_key or --cluster_key_file, not both");
        Check(ClusterKey is null || ClusterKey.Length > 0, nameof(ClusterKey), "option --cluster_key must not be empty");
        Check(ClusterKeyFile is null || ClusterKeyFile.Length > 0, nameof(ClusterKeyFile), "option --cluster_key_file must be a file path");
        if (Cluster is not { } cluster)
        {
            return;
        }

        Check(cluster.Count > 0, nameof(Cluster), "option --cluster lists no node; give id1=url1,id2=url2,...");
        Check(NodeIdIsSet, nameof(NodeId), "option --node_id is required with --cluster");
        var endpoints = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, url) in cluster)
        {
            Check(IsValidNodeId(id), nameof(Cluster), $"option --cluster: node id '{id}' must be 1-255 bytes without ',', '=' or whitespace");
            var endpoint = ClusterUrlEndpoint(id, url);
            if (endpoints.TryGetValue(endpoint, out var other))
            {
                throw new ArgumentException($"option --cluster: nodes '{other}' and '{id}' have the same URL {endpoint}", nameof(Cluster));
            }

            endpoints.Add(endpoint, id);
        }

        if (!cluster.TryGetValue(NodeId, out var ownUrl))
        {
            throw new ArgumentException($"node_id '{NodeId}' is not listed in --cluster", nameof(NodeId));
        }

        // Peers dial this URL, and the listener serves TLS exactly when cert and key are set (SPEC §8.1, §10.1):
        // any other pairing would make every peer connection fail at run time instead of here.
        var https = ownUrl.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
        Check(https == (Cert is not null && Key is not null), nameof(Cluster), https
            ? $"option --cluster: this node's URL {ownUrl} is https://, which needs --cert and --key"
            : $"option --cluster: this node's URL {ownUrl} must be https:// because --cert and --key are set");
        Check(cluster.Count == 1 || ClusterKey is not null || ClusterKeyFile is not null, nameof(ClusterKey),
            "option --cluster_key or --cluster_key_file is required with more than one node");
    }

    /// <summary>
    /// Checks one cluster URL (<c>http(s)://host:port</c>, the port explicit, nothing after it) and returns
    /// its <c>scheme://host:port</c>, which no two nodes may share.
    /// </summary>
    private static string ClusterUrlEndpoint(string id, string url)
    {
        var what = $"option --cluster: URL '{url}' of node '{id}'";
        Check(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0, nameof(Cluster), $"{what} is not a URL");

        Check(uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps, nameof(Cluster), $"{what} must start with http:// or https://");
        Check(url.StartsWith(uri.Scheme + "://", StringComparison.OrdinalIgnoreCase) && uri.UserInfo.Length == 0
            && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0,
            nameof(Cluster), $"{what} must be {uri.Scheme}://host:port, with nothing after the port");

        // Uri reports 80 or 443 for a URL without a port, so the port is looked for in the text itself.
        var authority = url.AsSpan(uri.Scheme.Length + 3);
        var end = authority.IndexOfAny('/', '?', '#');
        authority = end >= 0 ? authority[..end] : authority;
        var colon = authority.LastIndexOf(':');
        Check(colon > authority.LastIndexOf(']') && colon < authority.Length - 1, nameof(Cluster), $"{what} needs an explicit port");
        Check(uri.Port > 0, nameof(Cluster), $"{what} needs a port between 1 and 65535");
        return $"{uri.Scheme}://{uri.IdnHost}:{uri.Port}";
    }

    private static bool IsValidNodeId(string nodeId)
    {
        var ok = nodeId.Length > 0 && System.Text.Encoding.UTF8.GetByteCount(nodeId) <= 255;
        foreach (var c in nodeId)
        {
            ok &= c != ',' && c != '=' && !char.IsWhiteSpace(c);
        }

        return ok;
    }

    private static void ValidateNodeId(string nodeId) =>
        Require(IsValidNodeId(nodeId), nameof(NodeId), "must be 1-255 bytes without ',', '=' or whitespace");

    /// <summary>Like <see cref="Require"/>, for messages that already name the option as the command line does.</summary>
    private static void Check([DoesNotReturnIf(false)] bool condition, string property, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message, property);
        }
    }

    private static void Require(bool condition, string option, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"option {option}: {message}", option);
        }
    }
}
