using System.Net.WebSockets;

namespace AntiEtcd.Server.Cluster;

/// <summary>Settings of a peer transport. Times use <see cref="TimeProvider"/>.</summary>
internal sealed class PeerTransportOptions
{
    /// <summary>This node's node_id.</summary>
    public required string NodeName { get; init; }

    /// <summary>Every member, this node included: node_id → client URL (SPEC §8.1 <c>--cluster</c>).</summary>
    public required IReadOnlyDictionary<string, string> Cluster { get; init; }

    /// <summary>The UTF-8 <c>cluster_key</c> (<see cref="AntiEtcd.Server.Cluster.ClusterKey.Load"/>). Never logged, never sent.</summary>
    public required ReadOnlyMemory<byte> ClusterKey { get; init; }

    /// <summary>The settings that must match on every node (SPEC §8.8); <see cref="SharedSettings.MaxRequestBytes"/>
    /// also bounds every frame before authentication (SPEC §10.4).</summary>
    public required SharedSettings Settings { get; init; }

    /// <summary>First delay before redialling a peer (<c>reconnect_interval</c>, default 1000 ms); it doubles after
    /// each failed attempt up to <see cref="MaxReconnectInterval"/>, and resets once a connection authenticates.</summary>
    public TimeSpan ReconnectInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The backoff ceiling; never below <see cref="ReconnectInterval"/>. Default 8 s.</summary>
    public TimeSpan MaxReconnectInterval { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Time allowed from accept (or from the start of a dial) to a completed handshake. SPEC §10.3: 5 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>WebSocket ping interval on peer connections; a dead peer is detected within this plus
    /// <see cref="KeepAliveTimeout"/> even when no Raft traffic flows. Default 1 s.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an unanswered ping may wait before the connection is aborted. Default 5 s.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Messages that may wait for one peer; beyond it the oldest are dropped. Default 4096.</summary>
    public int SendQueueCapacity { get; init; } = 4096;

    /// <summary>Bytes that may wait for one peer (encoded sizes); beyond it the oldest are dropped. Default 64 MiB.</summary>
    public long MaxQueuedBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>A batch stops growing once it holds this many bytes (one larger message still goes alone). Default 1 MiB.</summary>
    public int MaxBatchBytes { get; init; } = 1024 * 1024;

    /// <summary>The largest frame after authentication, sent or received. SPEC §10.4: 64 MiB. A Raft message too
    /// large for one frame is sent as <see cref="PeerFrameType.RaftChunk"/> frames.</summary>
    public int MaxFrameBytes { get; init; } = PeerFrame.MaxFrameBytes;

    /// <summary>The largest RaftBatch payload sent or reassembled in chunks. Default <see cref="Array.MaxLength"/>
    /// (just under 2 GiB): a reassembled message is one array. A larger message is dropped with a warning.</summary>
    public long MaxMessageBytes { get; init; } = Array.MaxLength;

    /// <summary>Received messages that may wait for the Raft loop before connections stop reading. Default 8192.</summary>
    public int ReceiveQueueCapacity { get; init; } = 8192;

    /// <summary>Whether connects and disconnects are logged (<c>--logs cluster</c>, SPEC §11.5). Failures are logged anyway.</summary>
    public bool LogCluster { get; init; }

    /// <summary>The clock for deadlines and backoff.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Adjusts each outgoing <see cref="ClientWebSocket"/> before it dials: the hook for peer TLS
    /// (SPEC §10.2: <c>peer_cert</c>, <c>peer_key</c>, <c>peer_ca</c>), which this transport does not configure yet.</summary>
    public Action<ClientWebSocketOptions>? ConfigureClient { get; init; }

    /// <summary>Options for a server node: membership, reconnect interval, logs and key from <paramref name="options"/>.</summary>
    /// <exception cref="InvalidOperationException">No cluster, or no key.</exception>
    public static PeerTransportOptions FromServerOptions(AntiEtcdOptions options, SharedSettings settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cluster = options.Cluster ?? throw new InvalidOperationException("A peer transport needs --cluster.");
        var key = AntiEtcd.Server.Cluster.ClusterKey.Load(options.ClusterKey, options.ClusterKeyFile)
            ?? throw new InvalidOperationException("cluster_key or cluster_key_file is required with more than one node.");
        return new PeerTransportOptions
        {
            NodeName = options.NodeId,
            Cluster = cluster,
            ClusterKey = key,
            Settings = settings,
            ReconnectInterval = TimeSpan.FromMilliseconds(options.ReconnectInterval),
            LogCluster = options.Logs.HasFlag(AntiEtcdLogs.Cluster),
            ConfigureClient = PeerTls.CreateConfigureClient(options),
            MaxFrameBytes = options.PeerMaxFrameBytes ?? PeerFrame.MaxFrameBytes,
        };
    }
}
