using AntiEtcd.LoadGen;

// Exit codes: 0 run done (errors, if any, are in the result), 1 the server could not be prepared,
// 2 usage error, 130 interrupted (Ctrl+C).
LoadGenOptions? options;
try
{
    options = LoadGenOptions.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync($"AntiEtcd.LoadGen: {ex.Message}\n\n{LoadGenOptions.Usage}");
    return 2;
}

if (options is null)
{
    await Console.Out.WriteAsync(LoadGenOptions.Usage);
    return 0;
}

if (options.ReportDirectory is { } directory)
{
    await Console.Out.WriteAsync(
        options.ReportMedians ? MedianTable.Render(directory)
        : options.ReportByLabel ? ModeTable.Render(directory)
        : ReportTable.Render(directory));
    return 0;
}

if (options.FsyncProbeDirectory is { } probeDirectory)
{
    await Console.Out.WriteLineAsync(FsyncProbe.Run(probeDirectory, options.Duration));
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

using var runner = new LoadRunner(options);
try
{
    await runner.PrepareAsync(Console.Error, cancel.Token);
}
catch (InvalidOperationException ex)
{
    await Console.Error.WriteLineAsync($"AntiEtcd.LoadGen: {ex.Message}");
    return 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("AntiEtcd.LoadGen: interrupted");
    return 130;
}

if (options.PreloadOnly)
{
    return 0;
}

RunResult result;
try
{
    result = await runner.RunAsync(cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("AntiEtcd.LoadGen: interrupted");
    return 130;
}

await Console.Out.WriteLineAsync(result.ToLine());
if (options.Json)
{
    using var stdout = Console.OpenStandardOutput();
    result.WriteJson(stdout);
    await stdout.FlushAsync();
    await Console.Out.WriteLineAsync();
}

if (options.OutputFile is { } file)
{
    await using var stream = File.Create(file);
    result.WriteJson(stream);
}

return 0;
