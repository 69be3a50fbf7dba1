namespace AntiEtcd.Jepsen.Tests;

/// <summary>Everything that starts real processes runs one test at a time: the machines have two cores.</summary>
[CollectionDefinition("jepsen", DisableParallelization = true)]
public sealed class JepsenCollection;
