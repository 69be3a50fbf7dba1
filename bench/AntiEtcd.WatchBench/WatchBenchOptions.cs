using AntiEtcd.LoadGen;

namespace AntiEtcd.WatchBench;

/// <summary>The command line of one watch fan-out run.</summary>
/// <param name="Url">Base URL of the server; loopback only. Watches use the same host and port over ws://.</param>
/// <param name="Connections">WebSocket connections of watchers.</param>
/// <param name="WatchesPerConnection">Watches created on each connection, all on the same prefix.</param>
/// <param name="Rate">Puts per second, sent open loop (on a fixed schedule, whatever the answers do).</param>
/// <param name="Duration">Measured time.</param>
/// <param name="Warmup">Puts sent before the measured window: delivered and checked, not in the latency figures.</param>
/// <param name="PutConnections">HTTP connections the puts are spread over.</param>
/// <param name="Keys">Distinct keys under the prefix the puts cycle through.</param>
/// <param name="ValueSize">Bytes of each value (at least the 20 digits of the send timestamp).</param>
/// <param name="Drain">How long after the last put answer watchers may take to receive every event before missing ones count as lost.</param>
/// <param name="ServerPid">When set (Linux), the server's CPU time in the window and its RSS are reported.</param>
/// <param name="Label">Free text carried into the result.</param>
/// <param name="OutputFile">When set, the result's JSON is also written to this file.</param>
/// <param name="ReportDirectory">When set, no run: the JSON results in this directory are printed as a markdown table.</param>
internal sealed record WatchBenchOptions(
    Uri Url,
    int Connections,
    int WatchesPerConnection,
    int Rate,
    TimeSpan Duration,
    TimeSpan Warmup,
    int PutConnections,
    int Keys,
    int ValueSize,
    TimeSpan Drain,
    int? ServerPid,
    string? Label,
    string? OutputFile,
    string? ReportDirectory)
{
    /// <summary>The watched prefix; every put of the run is under it.</summary>
    public const string Prefix = "bench/watch/";

    public const string Usage = """
        Usage: AntiEtcd.WatchBench [options]
               AntiEtcd.WatchBench --report DIR

          --url URL                  server base URL, loopback only          [http://127.0.0.1:2379]
          --connections N            WebSocket connections of watchers       [100]
          --watches-per-connection W watches per connection, same prefix     [10]
          --rate R                   puts per second, open loop              [200]
          --duration S               measured seconds                        [10]
          --warmup S                 unmeasured seconds of puts before       [2]
          --put-connections N        HTTP connections for the puts           [8]
          --keys N                   keys under bench/watch/ the puts cycle  [100]
          --value-size B             value bytes (>= 20)                     [100]
          --drain S                  wait for late events after the puts     [15]
          --server-pid PID           also report that process's CPU and RSS (Linux)
          --label TEXT               free text copied into the result
          --out FILE                 also write the result's JSON to FILE
          --report DIR               print the *.json results in DIR as a markdown table and exit

        Watchers = connections x watches-per-connection, all on the prefix bench/watch/.
        Every run stops by itself after warmup + duration + drain + a few seconds at the latest.
        """;

    /// <summary>Parses <c>--name value</c> and <c>--name=value</c> arguments.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    /// <returns>The options, or null when <c>--help</c> was asked.</returns>
    public static WatchBenchOptions? Parse(string[] args)
    {
        var url = new Uri("http://127.0.0.1:2379");
        var connections = 100;
        var watches = 10;
        var rate = 200;
        var duration = 10.0;
        var warmup = 2.0;
        var putConnections = 8;
        var keys = 100;
        var valueSize = 100;
        var drain = 15.0;
        int? serverPid = null;
        string? label = null;
        string? outputFile = null;
        string? report = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                return null;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }

            var name = arg[2..];
            string value;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (i + 1 < args.Length)
            {
                value = args[++i];
            }
            else
            {
                throw new ArgumentException($"--{name} needs a value");
            }

            switch (name)
            {
                case "url":
                    if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || !uri.IsLoopback)
                    {
                        throw new ArgumentException($"--url must be an http:// URL on a loopback address, not '{value}'");
                    }

                    url = uri;
                    break;
                case "connections":
                    connections = OptionValues.ParseInt(name, value, 1, 10_000);
                    break;
                case "watches-per-connection":
                    watches = OptionValues.ParseInt(name, value, 1, 1000);
                    break;
                case "rate":
                    rate = OptionValues.ParseInt(name, value, 1, 100_000);
                    break;
                case "duration":
                    duration = OptionValues.ParseSeconds(name, value, 0.1);
                    break;
                case "warmup":
                    warmup = OptionValues.ParseSeconds(name, value, 0);
                    break;
                case "put-connections":
                    putConnections = OptionValues.ParseInt(name, value, 1, 1024);
                    break;
                case "keys":
                    keys = OptionValues.ParseInt(name, value, 1, 1_000_000);
                    break;
                case "value-size":
                    valueSize = OptionValues.ParseInt(name, value, 20, 1 << 20);
                    break;
                case "drain":
                    drain = OptionValues.ParseSeconds(name, value, 0.1);
                    break;
                case "server-pid":
                    serverPid = OptionValues.ParseInt(name, value, 1, int.MaxValue);
                    break;
                case "label":
                    label = value;
                    break;
                case "out":
                    outputFile = value;
                    break;
                case "report":
                    report = value;
                    break;
                default:
                    throw new ArgumentException($"unknown option --{name}");
            }
        }

        return new WatchBenchOptions(
            url,
            connections,
            watches,
            rate,
            TimeSpan.FromSeconds(duration),
            TimeSpan.FromSeconds(warmup),
            putConnections,
            keys,
            valueSize,
            TimeSpan.FromSeconds(drain),
            serverPid,
            label,
            outputFile,
            report);
    }

}
