using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AntiEtcd.WatchBench;

/// <summary>The measured outcome of one fan-out run; latencies in milliseconds, CPU in seconds.</summary>
internal sealed record FanOutResult(
    string? Label,
    int Connections,
    int WatchesPerConnection,
    int Rate,
    double WindowSeconds,
    long PutsSent,
    long PutsAcked,
    long PutErrors,
    double PutP50Ms,
    double PutP99Ms,
    double MaxScheduleLagMs,
    long EventsExpected,
    long EventsReceived,
    long EventsLost,
    long WatchesShort,
    long NotIncreasing,
    long Unexpected,
    double DeliveredPerSecond,
    long LatencyCount,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs,
    double DrainSeconds,
    double ClientCpuSeconds,
    double? ServerCpuSeconds,
    long? ServerRssBytes,
    string? FirstError)
{
    public int Watchers => Connections * WatchesPerConnection;

    public string ToLine()
    {
        var c = CultureInfo.InvariantCulture;
        var line = new StringBuilder();
        line.Append(c, $"watchers={Watchers} ({Connections}x{WatchesPerConnection}) rate={Rate}/s puts={PutsAcked}/{PutsSent} put_errors={PutErrors} put_p50={PutP50Ms:F3}ms put_p99={PutP99Ms:F3}ms max_lag={MaxScheduleLagMs:F1}ms ");
        line.Append(c, $"events={EventsReceived}/{EventsExpected} lost={EventsLost} short_watches={WatchesShort} not_increasing={NotIncreasing} unexpected={Unexpected} ");
        line.Append(c, $"delivered/s={DeliveredPerSecond:F0} p50={P50Ms:F3}ms p90={P90Ms:F3}ms p99={P99Ms:F3}ms max={MaxMs:F1}ms drain={DrainSeconds:F2}s ");
        line.Append(c, $"client_cpu={ClientCpuSeconds / WindowSeconds * 100:F0}%");
        if (ServerCpuSeconds is { } server)
        {
            line.Append(c, $" server_cpu={server / WindowSeconds * 100:F0}%");
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
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        if (Label is not null)
        {
            json.WriteString("label", Label);
        }

        json.WriteNumber("connections", Connections);
        json.WriteNumber("watches_per_connection", WatchesPerConnection);
        json.WriteNumber("watchers", Watchers);
        json.WriteNumber("rate", Rate);
        json.WriteNumber("window_s", Math.Round(WindowSeconds, 3));
        json.WriteNumber("puts_sent", PutsSent);
        json.WriteNumber("puts_acked", PutsAcked);
        json.WriteNumber("put_errors", PutErrors);
        json.WriteNumber("put_p50_ms", Math.Round(PutP50Ms, 4));
        json.WriteNumber("put_p99_ms", Math.Round(PutP99Ms, 4));
        json.WriteNumber("max_schedule_lag_ms", Math.Round(MaxScheduleLagMs, 3));
        json.WriteNumber("events_expected", EventsExpected);
        json.WriteNumber("events_received", EventsReceived);
        json.WriteNumber("events_lost", EventsLost);
        json.WriteNumber("watches_short", WatchesShort);
        json.WriteNumber("not_increasing", NotIncreasing);
        json.WriteNumber("unexpected", Unexpected);
        json.WriteNumber("delivered_per_s", Math.Round(DeliveredPerSecond, 1));
        json.WriteNumber("latency_count", LatencyCount);
        json.WriteNumber("p50_ms", Math.Round(P50Ms, 4));
        json.WriteNumber("p90_ms", Math.Round(P90Ms, 4));
        json.WriteNumber("p99_ms", Math.Round(P99Ms, 4));
        json.WriteNumber("max_ms", Math.Round(MaxMs, 4));
        json.WriteNumber("drain_s", Math.Round(DrainSeconds, 3));
        json.WriteNumber("client_cpu_s", Math.Round(ClientCpuSeconds, 3));
        if (ServerCpuSeconds is { } cpu)
        {
            json.WriteNumber("server_cpu_s", Math.Round(cpu, 3));
        }

        if (ServerRssBytes is { } rss)
        {
            json.WriteNumber("server_rss_bytes", rss);
        }

        if (FirstError is not null)
        {
            json.WriteString("first_error", FirstError);
        }

        json.WriteEndObject();
    }
}
