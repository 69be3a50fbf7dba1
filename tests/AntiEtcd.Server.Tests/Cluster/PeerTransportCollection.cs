namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>Transport tests open many loopback connections and tasks; on two cores they run one class at a time.</summary>
[CollectionDefinition(nameof(PeerTransportCollection))]
public sealed class PeerTransportCollection;
