using System.Globalization;
using System.Text;

namespace AntiEtcd.Jepsen.Checkers;

/// <summary>Anomalies found by a checker, grouped by kind: every one is counted, the first few of each kind are kept as evidence.</summary>
/// <remarks>Not thread-safe: one per check.</remarks>
internal sealed class AnomalyLog
{
    private const int ExamplesPerKind = 5;

    private readonly List<string> _kinds = [];
    private readonly Dictionary<string, (int Count, List<string> Examples)> _byKind = new(StringComparer.Ordinal);

    /// <summary>True when nothing was recorded.</summary>
    public bool IsEmpty => _kinds.Count == 0;

    /// <summary>Records one anomaly; <paramref name="describe"/> is called only while the kind still keeps examples.</summary>
    public void Add(string kind, Func<string> describe)
    {
        if (!_byKind.TryGetValue(kind, out (int Count, List<string> Examples) entry))
        {
            entry = (0, []);
            _kinds.Add(kind);
        }

        if (entry.Count < ExamplesPerKind)
        {
            entry.Examples.Add(describe());
        }

        _byKind[kind] = (entry.Count + 1, entry.Examples);
    }

    /// <summary>How many anomalies of <paramref name="kind"/> were recorded.</summary>
    public int CountOf(string kind) => _byKind.TryGetValue(kind, out (int Count, List<string> Examples) entry) ? entry.Count : 0;

    /// <summary>"kind (count): example; ..." one line per kind, kinds in first-seen order.</summary>
    public void AppendTo(StringBuilder sb)
    {
        foreach (string kind in _kinds)
        {
            (int count, List<string> examples) = _byKind[kind];
            sb.Append(CultureInfo.InvariantCulture, $"\n{kind} ({count}):");
            foreach (string example in examples)
            {
                sb.Append("\n  - ").Append(example);
            }

            if (count > examples.Count)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\n  - ... and {count - examples.Count} more");
            }
        }
    }

    /// <summary>"kind x count, ..." for a one-line summary.</summary>
    public string Summary()
    {
        var sb = new StringBuilder();
        foreach (string kind in _kinds)
        {
            sb.Append(sb.Length == 0 ? string.Empty : ", ").Append(kind).Append(" x").Append(_byKind[kind].Count.ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }
}
