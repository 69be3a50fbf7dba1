using System.Runtime.InteropServices;
using AntiEtcd.Cli;
using AntiEtcd.Client;

// Thin entry point (SPEC §12): parse, run one command, exit 0 (success), 1 (a request failed) or
// 2 (usage error). Errors go to stderr.
AnticliCommandLine commandLine;
try
{
    commandLine = AnticliCommandLine.Parse(args);
}
catch (UsageException ex)
{
    await Console.Error.WriteLineAsync(ex.Verbatim ? ex.Message : $"anticli: {ex.Message}\nTry 'anticli --help'.");
    return 2;
}

if (commandLine.Help)
{
    await Console.Out.WriteAsync(commandLine.HelpText());
    return 0;
}

AntiEtcdClient client;
try
{
    client = new AntiEtcdClient(new AntiEtcdClientOptions
    {
        Endpoints = commandLine.Endpoints,
        Timeout = commandLine.Timeout,
        CertificateFile = commandLine.CertFile,
        KeyFile = commandLine.KeyFile,
        CaFile = commandLine.CaFile,
    });
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or System.Security.Cryptography.CryptographicException)
{
    // The client library names its parameter for embedders ("(Parameter 'options')"); a command-line user gave files, not options.
    var message = ex is ArgumentException { ParamName: { } param } ? ex.Message.Replace($" (Parameter '{param}')", "", StringComparison.Ordinal) : ex.Message;
    await Console.Error.WriteLineAsync($"anticli: cannot use the TLS files: {message}");
    return 1;
}

using (client)
{
    // Ctrl-C and SIGTERM cancel the command: a watch or keepalive then ends with 0 (SPEC §12.2).
    using var interrupted = new CancellationTokenSource();
    void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        interrupted.Cancel();
    }

    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    await using var stdout = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
    await using var stdin = Console.OpenStandardInput();
    var runner = new AnticliRunner(commandLine, client, stdout, Console.Error, stdin, stderrIsTerminal: !Console.IsErrorRedirected);
    return await runner.RunAsync(interrupted.Token);
}
