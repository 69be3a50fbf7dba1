namespace AntiEtcd.Server.Cluster;

/// <summary>One peer as <c>/metrics</c> reports it: whether this node's outgoing connection is authenticated, and its traffic.</summary>
internal readonly record struct PeerReport(string Name, bool Connected, PeerCounters Counters);
