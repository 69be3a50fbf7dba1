using System.Runtime.InteropServices;
using AntiEtcd.Host;
using AntiEtcd.Server;
using Microsoft.Extensions.Logging;

// Thin entry point (SPEC §11): parse, start, wait for a signal, stop. Exit codes: 0 normal stop,
// 1 start or run-time failure, 2 usage error.
AntiEtcdCommandLine commandLine;
try
{
    commandLine = AntiEtcdCommandLine.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync($"antietcd: {ex.Message}\nTry 'antietcd --help'.");
    return 2;
}

if (commandLine.Help)
{
    await Console.Out.WriteAsync(AntiEtcdCommandLine.Usage);
    return 0;
}

if (commandLine.Version)
{
    await Console.Out.WriteLineAsync(AntiEtcdServer.ProductVersion);
    return 0;
}

using var loggerFactory = LoggerFactory.Create(logging => logging
    .SetMinimumLevel(LogLevel.Information)
    .AddFilter("Microsoft", LogLevel.Warning)
    .AddProvider(new ConsoleLineLoggerProvider()));
var logger = loggerFactory.CreateLogger("antietcd");
foreach (var warning in commandLine.Warnings)
{
#pragma warning disable CA1848, CA2254 // one-off start-up warnings
    logger.LogWarning(warning);
#pragma warning restore CA1848, CA2254
}

AntiEtcdServer server;
try
{
    server = new AntiEtcdServer(commandLine.Options, loggerFactory);
    await server.StartAsync();
}
catch (Exception ex) when (ex is ArgumentException or IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
{
    await Console.Error.WriteLineAsync($"antietcd: cannot start: {StartFailureMessage.Describe(ex)}");
    return 1;
}

var signals = 0;
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    if (Interlocked.Increment(ref signals) > 1)
    {
        // A second signal during the stop exits at once (SPEC §11.4).
        Environment.Exit(1);
    }

    _ = server.StopAsync();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);
try
{
    await server.Completion;
    return 0;
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync($"antietcd: stopped after a failure: {StartFailureMessage.Describe(ex)}");
    return 1;
}
