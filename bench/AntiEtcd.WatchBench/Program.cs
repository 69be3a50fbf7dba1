using AntiEtcd.WatchBench;

// Exit codes: 0 run done (losses, if any, are in the result), 1 the watchers could not be set up,
// 2 usage error, 130 interrupted (Ctrl+C).
WatchBenchOptions? options;
try
{
    options = WatchBenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync($"AntiEtcd.WatchBench: {ex.Message}\n\n{WatchBenchOptions.Usage}");
    return 2;
}

if (options is null)
{
    await Console.Out.WriteAsync(WatchBenchOptions.Usage);
    return 0;
}

if (options.ReportDirectory is { } directory)
{
    await Console.Out.WriteAsync(FanOutTable.Render(directory));
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

FanOutResult result;
try
{
    result = await new FanOutRunner(options).RunAsync(Console.Error, cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("AntiEtcd.WatchBench: interrupted");
    return 130;
}
catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or InvalidOperationException or OperationCanceledException or HttpRequestException)
{
    await Console.Error.WriteLineAsync($"AntiEtcd.WatchBench: {ex.Message}");
    return 1;
}

await Console.Out.WriteLineAsync(result.ToLine());
if (options.OutputFile is { } file)
{
    await using var stream = File.Create(file);
    result.WriteJson(stream);
}

return 0;
