using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>Keeps every log line of one node, pulses a signal on each, and echoes to the test output.</summary>
public sealed class LogCapture(string node, AsyncSignal signal, ITestOutputHelper? output) : ILogger
{
    private readonly Lock _lock = new();
    private readonly List<(LogLevel Level, string Message)> _lines = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    public bool Contains(string fragment) => Lines.Any(l => l.Message.Contains(fragment, StringComparison.Ordinal));

    public bool Has(LogLevel level, string message) => Lines.Contains((level, message));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        lock (_lock)
        {
            _lines.Add((logLevel, message));
        }

        try
        {
            output?.WriteLine($"[{node}] {logLevel}: {message}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; late lines from shutdown are not interesting.
        }

        signal.Pulse();
    }
}
