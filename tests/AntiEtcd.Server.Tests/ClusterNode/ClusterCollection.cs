namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>In-process clusters run one at a time: each one ticks several Raft loops, and the machines have two cores.</summary>
[CollectionDefinition("cluster", DisableParallelization = true)]
public sealed class ClusterCollection;
