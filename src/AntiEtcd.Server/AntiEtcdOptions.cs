namespace AntiEtcd.Server;

/// <summary>
/// The options of one node: one property for every <c>antietcd</c> command-line option of SPEC §11.2,
/// with the same defaults.
/// </summary>
/// <remarks>
/// Times are in milliseconds. <see cref="Validate"/> (called by <see cref="AntiEtcdServer"/>'s
/// constructor) throws <see cref="ArgumentException"/> naming the option for an invalid value.
/// <see cref="Parse"/> implements the command-line syntax of SPEC §11.1.
/// </remarks>
public sealed partial class AntiEtcdOptions
{
    // Null until set: with Cluster, an unset port or address is taken from this node's URL
    // (SPEC §11.2), so "left at the default" must be told apart from "set to the default".
    private int? _port;
    private string? _ip;
    private string? _nodeId;

    /// <summary>Listen port; 0 lets the OS choose (see <see cref="AntiEtcdServer.LocalPort"/>). Default 2379.</summary>
    /// <remarks>
    /// When it is not set and <see cref="Cluster"/> is, the node listens on the port of its own cluster URL.
    /// Setting it (even to 2379) overrides that port for listening only: peers still dial the URL.
    /// </remarks>
    public int Port
    {
        get => _port ?? ListenAddress.DefaultPort;
        set => _port = value;
    }

    /// <summary>Listen address. Default <c>127.0.0.1</c>; a DNS name listens on all interfaces.</summary>
    /// <remarks>
    /// When it is not set and <see cref="Cluster"/> is, the node listens on the host of its own cluster URL:
    /// an IP as is, <c>localhost</c> as 127.0.0.1, a DNS name on all interfaces (SPEC §11.2).
    /// </remarks>
    public string Ip
    {
        get => _ip ?? ListenAddress.DefaultIp;
        set => _ip = value;
    }

    /// <summary>The port when it was set explicitly, else null (see <see cref="ListenAddress"/>).</summary>
    internal int? ExplicitPort => _port;

    /// <summary>The address when it was set explicitly, else null (see <see cref="ListenAddress"/>).</summary>
    internal string? ExplicitIp => _ip;

    /// <summary>Whether <see cref="NodeId"/> was set; required with <see cref="Cluster"/>.</summary>
    internal bool NodeIdIsSet => _nodeId is not null;

    /// <summary>Where the node listens: the options resolved against this node's cluster URL.</summary>
    internal ListenAddress Listen => ListenAddress.Resolve(this);

    /// <summary>Server certificate: a PEM file path, or PEM text when it starts with <c>-----</c> (SPEC §10.1).</summary>
    public string? Cert { get; set; }

    /// <summary>Server private key: a PEM file path or PEM text.</summary>
    public string? Key { get; set; }

    /// <summary>CA certificates that client certificates must chain to: a PEM file path or PEM text.</summary>
    public string? Ca { get; set; }

    /// <summary>Require a client certificate that chains to <see cref="Ca"/>.</summary>
    public bool ClientCertAuth { get; set; }

    /// <summary>Certificate presented to peers; defaults to <see cref="Cert"/> (SPEC §10.2).</summary>
    public string? PeerCert { get; set; }

    /// <summary>Key of <see cref="PeerCert"/>; defaults to <see cref="Key"/>.</summary>
    public string? PeerKey { get; set; }

    /// <summary>CA that peer certificates must chain to.</summary>
    public string? PeerCa { get; set; }

    /// <summary>Shared secret that authenticates peers (SPEC §10.3). Never logged.</summary>
    /// <remarks>
    /// Required with more than one node, unless <see cref="ClusterKeyFile"/> is set; giving both is refused,
    /// so a key can never be silently shadowed by another. Shorter than 16 bytes logs a warning at start.
    /// </remarks>
    public string? ClusterKey { get; set; }

    /// <summary>A file whose first line is the cluster key; read at start (an unreadable file is a start failure).</summary>
    /// <remarks>Keeps the key out of the process's command line; refused together with <see cref="ClusterKey"/>.</remarks>
    public string? ClusterKeyFile { get; set; }

    /// <summary>This node's name (SPEC §8.1). Default <c>default</c>; must be set explicitly with <see cref="Cluster"/>.</summary>
    public string NodeId
    {
        get => _nodeId ?? "default";
        set => _nodeId = value;
    }

    /// <summary>
    /// Every node of the cluster, this one included: node_id → client URL (<c>http://</c> or <c>https://</c>,
    /// a host and an explicit port; SPEC §8.1). Null for a one-node cluster.
    /// </summary>
    /// <remarks>
    /// With more than one node, <see cref="ClusterKey"/> or <see cref="ClusterKeyFile"/> is required. This
    /// node's URL must use <c>https://</c> exactly when <see cref="Cert"/> and <see cref="Key"/> are set.
    /// </remarks>
    public IReadOnlyDictionary<string, string>? Cluster { get; set; }

    /// <summary>Raft election timeout. Default 500 ms; at least 2 × <see cref="HeartbeatTimeout"/>.</summary>
    public int ElectionTimeout { get; set; } = 500;

    /// <summary>Raft heartbeat interval. Default 100 ms.</summary>
    public int HeartbeatTimeout { get; set; } = 100;

    /// <summary>Leadership preference; the healthy node with the highest value leads (SPEC §8.2). Default 0.</summary>
    public int LeaderPriority { get; set; }

    /// <summary>Serve every read from local state (SPEC §8.5). Default false.</summary>
    public bool StaleRead { get; set; }

    /// <summary>How long a request waits for the node to become ready (SPEC §8.4). Default 30000 ms.</summary>
    public int WaitQuorumTimeout { get; set; } = 30000;

    /// <summary>A follower's outcome deadline for forwarded requests. Default 5000 ms.</summary>
    public int ForwardTimeout { get; set; } = 5000;

    /// <summary>The leader's outcome deadline. Default 5000 ms.</summary>
    public int ReplicationTimeout { get; set; } = 5000;

    /// <summary>Delay before reconnecting to a peer. Default 1000 ms.</summary>
    public int ReconnectInterval { get; set; } = 1000;

    /// <summary>Test hook: the peer frame limit (SPEC §10.4 fixes it at 64 MiB). Tests shrink it so that a small
    /// snapshot already travels in chunks; null keeps the SPEC value. Not an option, so nothing binds it.</summary>
    internal int? PeerMaxFrameBytes { get; set; }

    /// <summary>WebSocket ping interval; 0 turns pings off. Default 30000 ms.</summary>
    public int WsKeepaliveInterval { get; set; } = 30000;

    /// <summary>Data directory; null keeps everything in memory (SPEC §9).</summary>
    public string? Data { get; set; }

    /// <summary>fsync batching window (SPEC §9.2). Default 0: every write is durable before it is acknowledged.</summary>
    public int PersistInterval { get; set; }

    /// <summary>With <see cref="Data"/>: a snapshot is taken every this many logged writes (at least a quarter of the key count), and the log before it is deleted. Default 10000.</summary>
    public int SnapshotEntries { get; set; } = 10000;

    /// <summary>
    /// A persist filter (SPEC §9.4, §13.4): what this node writes to disk for each put. Takes
    /// precedence over <see cref="PersistFilterType"/>. Ignored, with a warning, without <see cref="Data"/>.
    /// </summary>
    public PersistFilter? PersistFilter { get; set; }

    /// <summary><c>PATH.dll:Namespace.Type</c> of an <see cref="IPersistFilterFactory"/>, from <c>--persist_filter</c>; created at start by <see cref="FilterLoader"/>.</summary>
    public string? PersistFilterType { get; set; }

    /// <summary>An auth filter instance (SPEC §10.6, §13.4); takes precedence over <see cref="AuthFilterType"/>.</summary>
    public IAuthFilter? AuthFilter { get; set; }

    /// <summary><c>PATH.dll:Namespace.Type</c> of an auth filter, from <c>--auth_filter</c>; created at start by <see cref="FilterLoader"/>.</summary>
    public string? AuthFilterType { get; set; }

    /// <summary>History revisions kept by automatic compaction; 0 turns it off (SPEC §2.5). Default 1000.</summary>
    public int CompactRevisions { get; set; } = 1000;

    /// <summary>An original antietcd data file to import (SPEC §9.6).</summary>
    public string? ImportAntietcd { get; set; }

    /// <summary>Largest accepted request body or client WebSocket message. Default 2097152 bytes.</summary>
    public int MaxRequestBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Op budget of a txn (SPEC §4.4). Default 128.</summary>
    public int MaxTxnOps { get; set; } = 128;

    /// <summary>Watches allowed on one WebSocket. Default 1000.</summary>
    public int MaxWatchesPerConnection { get; set; } = 1000;

    /// <summary>Interval of watch progress notifications. Default 600000 ms.</summary>
    public int WatchProgressNotifyInterval { get; set; } = 600000;

    /// <summary>Only true is supported, as in antietcd; false refuses to start.</summary>
    public bool UseBase64 { get; set; } = true;

    /// <summary>Optional log streams (SPEC §11.5).</summary>
    public AntiEtcdLogs Logs { get; set; }

    /// <summary>
    /// Every option given on the command line, unknown ones included, with names normalized to
    /// snake_case; filters read their own settings from it (SPEC §11.2).
    /// </summary>
    public IReadOnlyDictionary<string, string> RawOptions { get; set; } = new Dictionary<string, string>();
}
