using AntiEtcd.Server.Cluster;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>How one node of a test cluster is configured.</summary>
/// <param name="Name">Its node_id.</param>
public sealed record PeerSetup(string Name)
{
    public const string DefaultKey = "test-cluster-key-0123456789";

    /// <summary>The cluster_key.</summary>
    public string Key { get; init; } = DefaultKey;

    /// <summary>The G settings.</summary>
    internal SharedSettings Settings { get; init; } = new("memory", "", 2 * 1024 * 1024);

    /// <summary>The member names this node believes in; null means every node of the test cluster.</summary>
    public IReadOnlyList<string>? Members { get; init; }

    /// <summary>False for a member that is listed but never answers (a black hole on the WebSocket side).</summary>
    public bool Running { get; init; } = true;

    public int MaxFrameBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>The largest chunked message (WebSocket transport only).</summary>
    public long MaxMessageBytes { get; init; } = Array.MaxLength;

    /// <summary>The send queue's byte bound (WebSocket transport only).</summary>
    public long MaxQueuedBytes { get; init; } = 64L * 1024 * 1024;

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
