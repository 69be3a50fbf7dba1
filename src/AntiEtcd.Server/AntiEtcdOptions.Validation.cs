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

        if (Cluster is { Count: > 1 })
        {
            // Replication arrives with the clustering work (DESIGN §1); refusing beats silently
            // running a set of unconnected single nodes under one cluster name.
            throw new ArgumentException("clustering (--cluster with more than one node) is not available in this build yet", nameof(Cluster));
        }

        if (Cluster is { Count: 1 } && !Cluster.ContainsKey(NodeId))
        {
            throw new ArgumentException($"node_id '{NodeId}' is not listed in --cluster", nameof(Cluster));
        }

        Require(SnapshotEntries >= 1, nameof(SnapshotEntries), "must be at least 1");
        Require(ImportAntietcd is null || ImportAntietcd.Length > 0, nameof(ImportAntietcd), "must be a file path");

        if (PersistFilter is not null)
        {
            throw new ArgumentException("--persist_filter is not available in this build yet", nameof(PersistFilter));
        }
    }

    private static void ValidateNodeId(string nodeId)
    {
        var ok = nodeId.Length > 0 && System.Text.Encoding.UTF8.GetByteCount(nodeId) <= 255;
        foreach (var c in nodeId)
        {
            ok &= c != ',' && c != '=' && !char.IsWhiteSpace(c);
        }

        Require(ok, nameof(NodeId), "must be 1-255 bytes without ',', '=' or whitespace");
    }

    private static void Require(bool condition, string option, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"option {option}: {message}", option);
        }
    }
}
