namespace AntiEtcd.Simulation.Tests;

/// <summary>An invariant was broken; the message carries the seed and the last events so the run can be replayed.</summary>
public sealed class SimulationViolationException : Exception
{
    public SimulationViolationException()
    {
    }

    public SimulationViolationException(string message)
        : base(message)
    {
    }

    public SimulationViolationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The invariant that failed, without the trace.</summary>
    public string Violation { get; init; } = "";
}
