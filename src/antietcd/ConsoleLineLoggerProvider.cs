using Microsoft.Extensions.Logging;

namespace AntiEtcd.Host;

/// <summary>
/// Plain log lines as SPEC §11.5 wants them: information to stdout as the bare message, warnings
/// and errors to stderr with their level. Writes are serialized so lines never interleave.
/// </summary>
internal sealed class ConsoleLineLoggerProvider : ILoggerProvider
{
    private readonly Lock _lock = new();

    public ILogger CreateLogger(string categoryName) => new LineLogger(this);

    public void Dispose()
    {
    }

    private void Write(LogLevel level, string message, Exception? exception)
    {
        lock (_lock)
        {
            if (level >= LogLevel.Warning)
            {
                Console.Error.WriteLine($"{(level >= LogLevel.Error ? "error" : "warning")}: {message}");
                if (exception is not null)
                {
                    Console.Error.WriteLine(exception);
                }
            }
            else
            {
                Console.Out.WriteLine(message);
            }
        }
    }

    private sealed class LineLogger(ConsoleLineLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, formatter(state, exception), exception);
            }
        }
    }
}
