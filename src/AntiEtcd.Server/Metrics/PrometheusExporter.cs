using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using AntiEtcd.Server.Hosting;

namespace AntiEtcd.Server.Metrics;

/// <summary>
/// Aggregates the measurements of one <see cref="Meter"/> with a <see cref="MeterListener"/> and
/// writes them in the Prometheus text exposition format 0.0.4: counters as sums, histograms with
/// Prometheus' default buckets, observable gauges read at scrape time.
/// </summary>
/// <remarks>
/// Measurements may arrive on any thread; series are updated with interlocked operations. Scrapes
/// are serialized by a lock. Tag values are expected to come from bounded sets.
/// </remarks>
internal sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] s_buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<SeriesKey, Series> _series = new();
    private readonly List<Instrument> _instruments = [];
    private readonly Lock _scrapeLock = new();
    private Dictionary<SeriesKey, double>? _gauges;

    public PrometheusExporter(Meter meter)
    {
        _meter = meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _meter))
            {
                lock (_instruments)
                {
                    _instruments.Add(instrument);
                }

                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) => ((PrometheusExporter)state!).Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>(static (instrument, value, tags, state) => ((PrometheusExporter)state!).Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>(static (instrument, value, tags, state) => ((PrometheusExporter)state!).Record(instrument, value, tags));
        _listener.Start();
    }

    public void Write(PooledBufferWriter output)
    {
        var text = new StringBuilder(4096);
        lock (_scrapeLock)
        {
            _gauges = [];
            _listener.RecordObservableInstruments();
            Instrument[] instruments;
            lock (_instruments)
            {
                instruments = [.. _instruments];
            }

            foreach (var instrument in instruments)
            {
                WriteInstrument(text, instrument);
            }

            _gauges = null;
        }

        Encoding.UTF8.GetBytes(text.ToString(), output);
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = new SeriesKey(
            instrument,
            tags.Length > 0 ? tags[0].Key : null,
            tags.Length > 0 ? tags[0].Value : null,
            tags.Length > 1 ? tags[1].Key : null,
            tags.Length > 1 ? tags[1].Value : null);
        if (IsObservable(instrument))
        {
            // Only called from RecordObservableInstruments, under the scrape lock.
            _gauges?[key] = value;
            return;
        }

        var series = _series.GetOrAdd(key, static (_, histogram) => new Series(histogram ? s_buckets.Length : 0), instrument is Histogram<double>);
        series.Add(value, s_buckets);
    }

    /// <summary>Observed at each scrape (gauges and observable counters), rather than accumulated as recorded.</summary>
    private static bool IsObservable(Instrument instrument) =>
        instrument is ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double> or ObservableCounter<long>;

    private void WriteInstrument(StringBuilder text, Instrument instrument)
    {
        var name = instrument.Name;
        var isHistogram = instrument is Histogram<double>;
        var type = isHistogram ? "histogram" : instrument is Counter<long> or Counter<double> or ObservableCounter<long> ? "counter" : "gauge";
        text.Append("# HELP ").Append(name).Append(' ').Append(instrument.Description).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        if (IsObservable(instrument))
        {
            foreach (var (key, value) in _gauges!.Where(g => ReferenceEquals(g.Key.Instrument, instrument)).OrderBy(g => Labels(g.Key, null), StringComparer.Ordinal))
            {
                text.Append(name).Append(Labels(key, null)).Append(' ').Append(Format(value)).Append('\n');
            }

            return;
        }

        foreach (var (key, series) in _series.Where(s => ReferenceEquals(s.Key.Instrument, instrument)).OrderBy(s => Labels(s.Key, null), StringComparer.Ordinal))
        {
            if (!isHistogram)
            {
                text.Append(name).Append(Labels(key, null)).Append(' ').Append(Format(series.Sum)).Append('\n');
                continue;
            }

            long cumulative = 0;
            for (var i = 0; i < s_buckets.Length; i++)
            {
                cumulative += Interlocked.Read(ref series.Buckets[i]);
                text.Append(name).Append("_bucket").Append(Labels(key, Format(s_buckets[i]))).Append(' ').Append(cumulative).Append('\n');
            }

            var count = Interlocked.Read(ref series.Count);
            text.Append(name).Append("_bucket").Append(Labels(key, "+Inf")).Append(' ').Append(count).Append('\n');
            text.Append(name).Append("_sum").Append(Labels(key, null)).Append(' ').Append(Format(series.Sum)).Append('\n');
            text.Append(name).Append("_count").Append(Labels(key, null)).Append(' ').Append(count).Append('\n');
        }
    }

    private static string Labels(SeriesKey key, string? le)
    {
        var labels = new StringBuilder();
        AppendLabel(labels, key.Name1, key.Value1);
        AppendLabel(labels, key.Name2, key.Value2);

        if (le is not null)
        {
            labels.Append(labels.Length == 0 ? "{" : ",").Append("le=\"").Append(le).Append('"');
        }

        return labels.Length == 0 ? "" : labels.Append('}').ToString();
    }

    private static void AppendLabel(StringBuilder labels, string? name, object? value)
    {
        if (name is not null)
        {
            labels.Append(labels.Length == 0 ? "{" : ",").Append(name).Append("=\"").Append(Escape(Convert.ToString(value, CultureInfo.InvariantCulture))).Append('"');
        }
    }

    private static string Escape(string? value) =>
        (value ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A series: the instrument and up to two tags, compared field by field (no reflection on the hot path).</summary>
    private readonly record struct SeriesKey(Instrument Instrument, string? Name1, object? Value1, string? Name2, object? Value2);

    private sealed class Series(int buckets)
    {
        public readonly long[] Buckets = new long[buckets];
        public long Count;
        private long _sumBits;

        public double Sum => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _sumBits));

        public void Add(double value, double[] bounds)
        {
            for (var i = 0; i < Buckets.Length; i++)
            {
                if (value <= bounds[i])
                {
                    Interlocked.Increment(ref Buckets[i]);
                    break;
                }
            }

            Interlocked.Increment(ref Count);
            long seen, updated;
            do
            {
                seen = Interlocked.Read(ref _sumBits);
                updated = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value);
            }
            while (Interlocked.CompareExchange(ref _sumBits, updated, seen) != seen);
        }
    }
}
