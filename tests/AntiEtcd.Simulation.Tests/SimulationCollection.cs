namespace AntiEtcd.Simulation.Tests;

/// <summary>CPU-heavy simulation classes run one at a time (STYLE "Test rules").</summary>
[CollectionDefinition(nameof(SimulationCollection), DisableParallelization = true)]
public sealed class SimulationCollection;
