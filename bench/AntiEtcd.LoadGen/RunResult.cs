using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AntiEtcd.LoadGen;

/// <summary>The measured outcome of one run; latencies in milliseconds, CPU in seconds.</summary>
/// <remarks>
/// <see cref="ClusterCpuSeconds"/> and <see cref="BusiestNodeCpuSeconds"/> (with <c>--cluster-pids</c>): all nodes' CPU
/// summed, and the busiest node's. <see cref="MachineIdle"/>: the share of the machine's CPU time left idle in the window.
/// </remarks>
internal sealed record RunResult(
    string? Label,
    string Workload,
    string Url,
    int Connections,
    int Keys,
    int ValueSize,
    double WindowSeconds,
    long Requests,
    double RequestsPerSecond,
    double MeanMs,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs,
    long Non200,
    long Failures,
    string? FirstError,
    double ClientCpuSeconds,
    long ClientAllocatedBytes,
    int ClientGen0Collections,
    double? ServerCpuSeconds,
    long? ServerRssBytes,
    double? ClusterCpuSeconds = null,
    double? BusiestNodeCpuSeconds = null,
    double? MachineIdle = null)
{
    /// <summary>Server CPU microseconds per successful request, or null without <c>--server-pid</c>.</summary>
    public double? ServerCpuMicrosPerRequest => PerRequest(ServerCpuSeconds);

    /// <summary>All nodes' CPU microseconds per successful request, or null without <c>--cluster-pids</c>.</summary>
    public double? ClusterCpuMicrosPerRequest => PerRequest(ClusterCpuSeconds);

    /// <summary>The busiest node's CPU microseconds per successful request, or null without <c>--cluster-pids</c>.</summary>
    public double? BusiestNodeCpuMicrosPerRequest => PerRequest(BusiestNodeCpuSeconds);

    /// <summary>Load generator CPU microseconds per successful request.</summary>
    public double ClientCpuMicrosPerRequest => Requests > 0 ? ClientCpuSeconds * 1e6 / Requests : 0;

    /// <summary>One human-readable line.</summary>
    public string ToLine()
    {
        var line = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        line.Append(c, $"{Workload,-8} conns={Connections,-3} req/s={RequestsPerSecond,9:F0} p50={P50Ms:F3}ms p90={P90Ms:F3}ms p99={P99Ms:F3}ms max={MaxMs:F1}ms ");
        line.Append(c, $"requests={Requests} non200={Non200} failures={Failures} client_cpu/req={ClientCpuMicrosPerRequest:F1}us");
        line.Append(c, $" client_alloc/req={(Requests > 0 ? ClientAllocatedBytes / (double)Requests : 0):F0}B");
        if (ServerCpuMicrosPerRequest is { } server)
        {
            line.Append(c, $" server_cpu/req={server:F1}us");
        }

        if (ClusterCpuMicrosPerRequest is { } cluster && BusiestNodeCpuMicrosPerRequest is { } busiest)
        {
            line.Append(c, $" cluster_cpu/req={cluster:F1}us busiest_node_cpu/req={busiest:F1}us");
        }

        if (MachineIdle is { } idle)
        {
            line.Append(c, $" machine_idle={100 * idle:F1}%");
        }

        if (ServerRssBytes is { } rss)
        {
            line.Append(c, $" server_rss={rss / (1024.0 * 1024.0):F0}MiB");
        }

        if (FirstError is not null)
        {
            line.Append(c, $" first_error=\"{FirstError}\"");
        }

        return line.ToString();
    }

    public void WriteJson(Stream stream)
    {
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        if (Label is not null)
        {
            json.WriteString("label", Label);
        }

        json.WriteString("workload", Workload);
        json.WriteString("url", Url);
        json.WriteNumber("connections", Connections);
        json.WriteNumber("keys", Keys);
        json.WriteNumber("value_size", ValueSize);
        json.WriteNumber("window_s", Math.Round(WindowSeconds, 3));
        json.WriteNumber("requests", Requests);
        json.WriteNumber("rps", Math.Round(RequestsPerSecond, 1));
        json.WriteNumber("mean_ms", Math.Round(MeanMs, 4));
        json.WriteNumber("p50_ms", Math.Round(P50Ms, 4));
        json.WriteNumber("p90_ms", Math.Round(P90Ms, 4));
        json.WriteNumber("p99_ms", Math.Round(P99Ms, 4));
        json.WriteNumber("max_ms", Math.Round(MaxMs, 4));
        json.WriteNumber("non200", Non200);
        json.WriteNumber("failures", Failures);
        if (FirstError is not null)
        {
            json.WriteString("first_error", FirstError);
        }

        json.WriteNumber("client_cpu_s", Math.Round(ClientCpuSeconds, 3));
        json.WriteNumber("client_alloc_bytes", ClientAllocatedBytes);
        json.WriteNumber("client_gen0", ClientGen0Collections);
        if (ServerCpuSeconds is { } serverCpu)
        {
            json.WriteNumber("server_cpu_s", Math.Round(serverCpu, 3));
        }

        if (ServerRssBytes is { } rss)
        {
            json.WriteNumber("server_rss_bytes", rss);
        }

        if (ClusterCpuSeconds is { } clusterCpu)
        {
            json.WriteNumber("cluster_cpu_s", Math.Round(clusterCpu, 3));
        }

        if (BusiestNodeCpuSeconds is { } busiestCpu)
        {
            json.WriteNumber("busiest_node_cpu_s", Math.Round(busiestCpu, 3));
        }

        if (MachineIdle is { } machineIdle)
        {
            json.WriteNumber("machine_idle", Math.Round(machineIdle, 4));
        }

        json.WriteEndObject();
    }

    /// <summary>Reads what <see cref="WriteJson"/> wrote.</summary>
    public static RunResult ReadJson(ReadOnlySpan<byte> utf8)
    {
        using var document = JsonDocument.Parse(utf8.ToArray());
        var root = document.RootElement;
        return new RunResult(
            OptionalString(root, "label"),
            root.GetProperty("workload").GetString() ?? "",
            root.GetProperty("url").GetString() ?? "",
            root.GetProperty("connections").GetInt32(),
            root.GetProperty("keys").GetInt32(),
            root.GetProperty("value_size").GetInt32(),
            root.GetProperty("window_s").GetDouble(),
            root.GetProperty("requests").GetInt64(),
            root.GetProperty("rps").GetDouble(),
            root.GetProperty("mean_ms").GetDouble(),
            root.GetProperty("p50_ms").GetDouble(),
            root.GetProperty("p90_ms").GetDouble(),
            root.GetProperty("p99_ms").GetDouble(),
            root.GetProperty("max_ms").GetDouble(),
            root.GetProperty("non200").GetInt64(),
            root.GetProperty("failures").GetInt64(),
            OptionalString(root, "first_error"),
            root.GetProperty("client_cpu_s").GetDouble(),
            root.GetProperty("client_alloc_bytes").GetInt64(),
            root.GetProperty("client_gen0").GetInt32(),
            root.TryGetProperty("server_cpu_s", out var cpu) ? cpu.GetDouble() : null,
            root.TryGetProperty("server_rss_bytes", out var rss) ? rss.GetInt64() : null,
            root.TryGetProperty("cluster_cpu_s", out var clusterCpu) ? clusterCpu.GetDouble() : null,
            root.TryGetProperty("busiest_node_cpu_s", out var busiestCpu) ? busiestCpu.GetDouble() : null,
            root.TryGetProperty("machine_idle", out var idle) ? idle.GetDouble() : null);
    }

    private double? PerRequest(double? seconds) => seconds is { } s && Requests > 0 ? s * 1e6 / Requests : null;

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value.GetString() : null;
}
