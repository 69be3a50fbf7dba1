namespace AntiEtcd.Cli.Tests;

/// <summary>Tests that start real processes run one at a time: the machines have two cores.</summary>
[CollectionDefinition("processes", DisableParallelization = true)]
public sealed class ProcessCollection;
