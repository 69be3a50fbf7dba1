using System.Globalization;
using AntiEtcd.Jepsen;

// Long runs: dotnet run --project tests/AntiEtcd.Jepsen -c Release -- --workload all --nemesis mixed --nodes 3 --data --time 600 --seed 7
// Exit codes: 0 valid, 1 an anomaly was found (the run folder is kept), 2 usage error.
var options = new JepsenRunOptions { KeepArtifacts = true, Duration = TimeSpan.FromSeconds(60), Seed = Environment.TickCount & 0x7fffffff };
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--workload":
                options.Workload = Next();
                _ = Workloads.Create(options.Workload);
                break;
            case "--nemesis":
                options.Nemesis = Enum.Parse<NemesisKind>(Next(), ignoreCase: true);
                break;
            case "--nodes":
                options.Nodes = int.Parse(Next(), CultureInfo.InvariantCulture);
                break;
            case "--data":
                options.Durable = true;
                break;
            case "--time":
                options.Duration = TimeSpan.FromSeconds(int.Parse(Next(), CultureInfo.InvariantCulture));
                break;
            case "--seed":
                options.Seed = int.Parse(Next(), CultureInfo.InvariantCulture);
                break;
            case "--workers":
                options.Workers = int.Parse(Next(), CultureInfo.InvariantCulture);
                break;
            case "--name":
                options.Name = Next();
                break;
            case "--server-args":
                options.ServerArguments = Next().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                break;
            case "--help" or "-h":
                Console.WriteLine("usage: AntiEtcd.Jepsen [--workload register|append|lease|watch|all] [--nemesis none|kill|pause|partition|slow|mixed] [--nodes 1|3|5] [--data] [--time SECONDS] [--seed N] [--workers N] [--name NAME] [--server-args \"--opt value ...\"]");
                return 0;
            default:
                throw new ArgumentException($"unknown option {args[i]}");
        }
    }
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    await Console.Error.WriteLineAsync("AntiEtcd.Jepsen: " + ex.Message);
    return 2;
}

if (options.Name == "run")
{
    options.Name = string.Create(CultureInfo.InvariantCulture, $"long-{options.Workload}-{options.Nemesis}-{options.Nodes}n{(options.Durable ? "-data" : "")}-seed{options.Seed}").ToLowerInvariant();
}

using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupt.Cancel();
};
var result = await JepsenRunner.RunAsync(options, Console.Write, interrupt.Token);
Console.WriteLine($"{result.OperationsChecked} operations checked; folder {result.Folder}");
return result.Valid ? 0 : 1;
