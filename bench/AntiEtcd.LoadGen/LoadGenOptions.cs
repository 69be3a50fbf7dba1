namespace AntiEtcd.LoadGen;

/// <summary>The command line of one load generator run.</summary>
/// <param name="Url">Base URL of the server, e.g. <c>http://127.0.0.1:2379</c>; loopback only.</param>
/// <param name="Workload">What each request does.</param>
/// <param name="Connections">Concurrent workers, each with its own keep-alive connection.</param>
/// <param name="Duration">Measured time.</param>
/// <param name="Warmup">Time run before the measured window, not counted (JIT, tiering, connection set-up).</param>
/// <param name="Keys">Size of the key set; keys are <c>bench/key/NNNNNN</c>.</param>
/// <param name="ValueSize">Bytes of each value.</param>
/// <param name="Grace">How long requests still in flight when the window ends may take before they are abandoned.</param>
/// <param name="Json">Also print the result as one JSON object.</param>
/// <param name="OutputFile">When set, the result's JSON is also written to this file.</param>
/// <param name="ServerPid">When set (Linux), the CPU time this process spent during the measured window is reported.</param>
/// <param name="ClusterPids">When not empty (Linux), the summed CPU time of these processes (a cluster's nodes) and the busiest one's are reported, with the machine's idle share.</param>
/// <param name="Label">Free text carried into the result (e.g. the server's name).</param>
/// <param name="ReportDirectory">When set, no load is generated: the JSON results in this directory are printed as a markdown table.</param>
/// <param name="ReportByLabel">With <see cref="ReportDirectory"/>: the table compares server modes (the runs' labels) instead of servers against the ceiling.</param>
/// <param name="ReportMedians">With <see cref="ReportDirectory"/>: repeated runs are grouped by workload, connections and label, and their medians printed (see <see cref="MedianTable"/>).</param>
/// <param name="Serializable">Range requests carry <c>"serializable":true</c>: answered from the receiving node's own state, no read index (SPEC §8.5).</param>
/// <param name="Preload">Write every key of the key set before the run, in txns of <see cref="PreloadBatch"/> puts over the run's connections.</param>
/// <param name="PreloadOnly">Preload, then exit without a measured run (to fill a server for a restart test).</param>
/// <param name="FsyncProbeDirectory">When set, no load is generated: the write + fsync latency of a file in this directory is measured for the run's duration.</param>
internal sealed record LoadGenOptions(
    Uri Url,
    Workload Workload,
    int Connections,
    TimeSpan Duration,
    TimeSpan Warmup,
    int Keys,
    int ValueSize,
    TimeSpan Grace,
    bool Json,
    string? OutputFile,
    int? ServerPid,
    IReadOnlyList<int> ClusterPids,
    string? Label,
    string? ReportDirectory,
    bool Preload,
    bool PreloadOnly,
    string? FsyncProbeDirectory,
    bool ReportByLabel,
    bool ReportMedians,
    bool Serializable)
{
    /// <summary>Puts per preload txn: the server's default <c>max_txn_ops</c>.</summary>
    public const int PreloadBatch = 128;

    public const string Usage = """
        Usage: AntiEtcd.LoadGen [options]
               AntiEtcd.LoadGen --report DIR

          --url URL            server base URL, loopback only       [http://127.0.0.1:2379]
          --workload W         put | range | ceiling                 [put]
          --connections N      concurrent keep-alive connections     [16]
          --duration S         measured seconds                      [10]
          --warmup S           unmeasured seconds before             [2]
          --keys N             key set size                          [1000]
          --value-size B       value bytes                           [100]
          --grace S            then abandon requests still in flight [5]
          --server-pid PID     also report that process's CPU time in the window (Linux)
          --cluster-pids P,P,P also report those processes' summed CPU, the busiest one's, and the machine's idle share
          --label TEXT         free text copied into the result
          --json               also print the result as one JSON line
          --out FILE           also write the result's JSON to FILE
          --report DIR         print the *.json results in DIR as a markdown table and exit
          --report-modes DIR   the same, rows by keys/connections/label, throughput vs label 'memory'
          --report-medians DIR the same, medians of repeated runs by workload/connections/label, vs label 'single'
          --serializable       range requests are serializable (no read index; a follower answers alone)
          --preload            first write every key once, in txns of 128 puts over N connections
          --preload-only       preload, print the time it took, exit (no measured run)
          --fsync-probe DIR    no load: append 4 KiB + fsync to a file in DIR for --duration s, print latency

        Every run stops by itself after warmup + duration + grace at the latest.
        """;

    /// <summary>Parses <c>--name value</c> and <c>--name=value</c> arguments.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    /// <returns>The options, or null when <c>--help</c> was asked.</returns>
    public static LoadGenOptions? Parse(string[] args)
    {
        var url = new Uri("http://127.0.0.1:2379");
        var workload = Workload.Put;
        var connections = 16;
        var duration = 10.0;
        var warmup = 2.0;
        var keys = 1000;
        var valueSize = 100;
        var grace = 5.0;
        var json = false;
        int? serverPid = null;
        List<int> clusterPids = [];
        string? label = null;
        string? outputFile = null;
        string? report = null;
        var preload = false;
        var preloadOnly = false;
        string? fsyncProbe = null;
        var reportByLabel = false;
        var serializable = false;
        var reportMedians = false;
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
            string? inline = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }

            if (name == "json")
            {
                json = inline is null || inline is "1" or "true";
                continue;
            }

            if (name == "serializable")
            {
                serializable = inline is null || inline is "1" or "true";
                continue;
            }

            if (name == "preload")
            {
                preload = inline is null || inline is "1" or "true";
                continue;
            }

            if (name == "preload-only")
            {
                preload = preloadOnly = inline is null || inline is "1" or "true";
                continue;
            }

            string value;
            if (inline is not null)
            {
                value = inline;
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
                    url = ParseUrl(value);
                    break;
                case "workload":
                    workload = value switch
                    {
                        "put" => Workload.Put,
                        "range" => Workload.Range,
                        "ceiling" => Workload.Ceiling,
                        _ => throw new ArgumentException($"--workload must be put, range or ceiling, not '{value}'"),
                    };
                    break;
                case "connections":
                    connections = OptionValues.ParseInt(name, value, 1, 4096);
                    break;
                case "duration":
                    duration = OptionValues.ParseSeconds(name, value, 0.1);
                    break;
                case "warmup":
                    warmup = OptionValues.ParseSeconds(name, value, 0);
                    break;
                case "keys":
                    keys = OptionValues.ParseInt(name, value, 1, 10_000_000);
                    break;
                case "value-size":
                    valueSize = OptionValues.ParseInt(name, value, 0, 1 << 20);
                    break;
                case "grace":
                    grace = OptionValues.ParseSeconds(name, value, 0.01);
                    break;
                case "server-pid":
                    serverPid = OptionValues.ParseInt(name, value, 1, int.MaxValue);
                    break;
                case "cluster-pids":
                    var pids = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

                    // An empty list (a script's PID variables were empty) would silently drop the cluster figures.
                    if (pids.Length == 0)
                    {
                        throw new ArgumentException($"--cluster-pids needs at least one PID, not '{value}'");
                    }

                    // The last --cluster-pids wins, as every other option's last value does.
                    clusterPids.Clear();
                    foreach (var pid in pids)
                    {
                        clusterPids.Add(OptionValues.ParseInt(name, pid, 1, int.MaxValue));
                    }

                    break;
                case "out":
                    outputFile = value;
                    break;
                case "label":
                    label = value;
                    break;
                case "report":
                    report = value;
                    break;
                case "report-modes":
                    report = value;
                    reportByLabel = true;
                    break;
                case "report-medians":
                    report = value;
                    reportMedians = true;
                    break;
                case "fsync-probe":
                    fsyncProbe = value;
                    break;
                default:
                    throw new ArgumentException($"unknown option --{name}");
            }
        }

        return new LoadGenOptions(
            url,
            workload,
            connections,
            TimeSpan.FromSeconds(duration),
            TimeSpan.FromSeconds(warmup),
            keys,
            valueSize,
            TimeSpan.FromSeconds(grace),
            json,
            outputFile,
            serverPid,
            clusterPids,
            label,
            report,
            preload,
            preloadOnly,
            fsyncProbe,
            reportByLabel,
            reportMedians,
            serializable);
    }

    private static Uri ParseUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"--url must be an absolute http:// URL, not '{value}'");
        }

        // A load generator aimed anywhere but this machine is a mistake (and not allowed here).
        if (!uri.IsLoopback)
        {
            throw new ArgumentException($"--url must be a loopback address (127.0.0.0/8, [::1], localhost), not '{uri.Host}'");
        }

        return uri;
    }
}
