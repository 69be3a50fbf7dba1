using System.Globalization;
using System.Text;
using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen.Checkers.Watch;

/// <summary>One run of the watch checker: per-watch order, uniqueness, provenance and completeness, then cross-watch agreement.</summary>
/// <remarks>Not thread-safe; one instance per check.</remarks>
internal sealed class WatchAnalysis
{
    private readonly IReadOnlyList<WriteRecord> _writes;
    private readonly IReadOnlyList<WatchRecord> _watches;
    private readonly AnomalyLog _anomalies = new();

    private readonly Dictionary<(string Key, long Revision), WriteRecord> _okAt = [];
    private readonly Dictionary<(string Key, string? Value), WriteRecord> _okByValue = [];
    private readonly HashSet<(string Key, string? Value)> _unknown = [];
    private readonly HashSet<(string Key, string? Value)> _failed = [];

    // (key, revision) → the first watcher's event, for agreement between watchers.
    private readonly Dictionary<(string Key, long Revision), (string? Value, int Client)> _agreed = [];
    private readonly List<HashSet<(string Key, long Revision)>> _seenBy = [];
    private readonly List<long> _completeUpTo = [];

    public WatchAnalysis(IReadOnlyList<WriteRecord> writes, IReadOnlyList<WatchRecord> watches)
    {
        _writes = writes;
        _watches = watches;
    }

    public CheckResult Run()
    {
        IndexWrites();
        long events = 0;
        foreach (WatchRecord watch in _watches)
        {
            ArgumentNullException.ThrowIfNull(watch);
            events += watch.Events.Count;
            CheckOneWatch(watch);
        }

        CheckAgreement();

        string summary = string.Create(CultureInfo.InvariantCulture,
            $"watch: {_watches.Count} watches, {events} events against {_writes.Count} writes ({_okAt.Count} ok).");
        if (_anomalies.IsEmpty)
        {
            return new CheckResult(true, summary + " Every watch is ordered, unique, complete, matches the writes, and the watchers agree.", events);
        }

        var sb = new StringBuilder(summary);
        sb.Append(" INVALID: ").Append(_anomalies.Summary()).Append('.');
        _anomalies.AppendTo(sb);
        return new CheckResult(false, sb.ToString(), events);
    }

    private void IndexWrites()
    {
        foreach (WriteRecord write in _writes)
        {
            ArgumentNullException.ThrowIfNull(write);
            switch (write.Outcome)
            {
                case Outcome.Ok:
                    if (!_okAt.TryAdd((write.Key, write.Revision), write))
                    {
                        WriteRecord other = _okAt[(write.Key, write.Revision)];
                        _anomalies.Add("malformed history", () => $"two ok writes of \"{write.Key}\" at revision {write.Revision}: {Value(other.Value)} and {Value(write.Value)}");
                    }

                    _okByValue.TryAdd((write.Key, write.Value), write);
                    break;
                case Outcome.Unknown:
                    _unknown.Add((write.Key, write.Value));
                    break;
                default:
                    _failed.Add((write.Key, write.Value));
                    break;
            }
        }
    }

    private void CheckOneWatch(WatchRecord watch)
    {
        var seen = new HashSet<(string Key, long Revision)>();
        WatchEvent? previous = null;
        for (int i = 0; i < watch.Events.Count; i++)
        {
            WatchEvent e = watch.Events[i];
            int at = i;
            if (!e.Key.StartsWith(watch.Prefix, StringComparison.Ordinal))
            {
                _anomalies.Add("event outside the prefix", () => $"{Name(watch)} event #{at} {Describe(e)}");
            }

            if (e.ModRevision < watch.StartRevision)
            {
                _anomalies.Add("event before the start revision", () => $"{Name(watch)} event #{at} {Describe(e)}");
            }

            if (previous is not null && e.ModRevision < previous.ModRevision)
            {
                WatchEvent before = previous;
                _anomalies.Add("out-of-order event", () => $"{Name(watch)} event #{at} {Describe(e)} arrived after {Describe(before)}");
            }

            if (!seen.Add((e.Key, e.ModRevision)))
            {
                _anomalies.Add("duplicated event", () => $"{Name(watch)} event #{at} {Describe(e)} was already delivered");
            }

            CheckProvenance(watch, at, e);
            if (!_agreed.TryAdd((e.Key, e.ModRevision), (e.Value, watch.Client)))
            {
                (string? value, int client) = _agreed[(e.Key, e.ModRevision)];
                if (!string.Equals(value, e.Value, StringComparison.Ordinal))
                {
                    _anomalies.Add("watchers disagree", () => $"{Name(watch)} saw {Describe(e)}, watcher {client} saw value {Value(value)} for the same key and revision");
                }
            }

            previous = e;
        }

        // Completeness: a compacted watch claims nothing past the last event it got.
        long upTo = watch.Compacted
            ? (watch.Events.Count > 0 ? Math.Min(watch.EndRevision, previous!.ModRevision) : watch.StartRevision - 1)
            : watch.EndRevision;
        _seenBy.Add(seen);
        _completeUpTo.Add(upTo);
        foreach (((string key, long revision), WriteRecord write) in _okAt)
        {
            if (revision >= watch.StartRevision && revision <= upTo && key.StartsWith(watch.Prefix, StringComparison.Ordinal) && !seen.Contains((key, revision)))
            {
                _anomalies.Add("missing event", () =>
                    $"{Name(watch)} (complete up to revision {upTo}) never got the ok write of \"{key}\" = {Value(write.Value)} at revision {revision}");
            }
        }
    }

    /// <summary>An event must come from a write that did not fail: an ok write at that very revision, or an unknown one with that key and value.</summary>
    private void CheckProvenance(WatchRecord watch, int at, WatchEvent e)
    {
        if (_okAt.TryGetValue((e.Key, e.ModRevision), out WriteRecord? write))
        {
            if (!string.Equals(write.Value, e.Value, StringComparison.Ordinal))
            {
                _anomalies.Add("wrong value", () => $"{Name(watch)} event #{at} {Describe(e)}, but the ok write at that revision put {Value(write.Value)}");
            }

            return;
        }

        if (_unknown.Contains((e.Key, e.Value)))
        {
            return;
        }

        if (_okByValue.TryGetValue((e.Key, e.Value), out WriteRecord? elsewhere))
        {
            _anomalies.Add("wrong revision", () => $"{Name(watch)} event #{at} {Describe(e)}, but that write was acknowledged at revision {elsewhere.Revision}");
        }
        else if (_failed.Contains((e.Key, e.Value)))
        {
            _anomalies.Add("phantom event", () => $"{Name(watch)} event #{at} {Describe(e)} comes from a write that failed");
        }
        else
        {
            _anomalies.Add("phantom event", () => $"{Name(watch)} event #{at} {Describe(e)} matches no write");
        }
    }

    /// <summary>An event one watcher saw (and no ok write explains, so completeness did not cover it) must reach every other watcher that is complete over its key and revision.</summary>
    private void CheckAgreement()
    {
        foreach (((string key, long revision), (string? value, int client)) in _agreed)
        {
            if (_okAt.ContainsKey((key, revision)))
            {
                continue;
            }

            for (int w = 0; w < _watches.Count; w++)
            {
                WatchRecord other = _watches[w];
                if (revision >= other.StartRevision && revision <= _completeUpTo[w] &&
                    key.StartsWith(other.Prefix, StringComparison.Ordinal) && !_seenBy[w].Contains((key, revision)))
                {
                    long upTo = _completeUpTo[w];
                    _anomalies.Add("missing event", () =>
                        $"{Name(other)} (complete up to revision {upTo}) never got \"{key}\" = {Value(value)} at revision {revision}, which watcher {client} saw");
                }
            }
        }
    }

    private static string Name(WatchRecord watch) =>
        string.Create(CultureInfo.InvariantCulture, $"watcher {watch.Client} (prefix \"{watch.Prefix}\" from revision {watch.StartRevision})");

    private static string Describe(WatchEvent e) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{e.Key}\" = {Value(e.Value)} at revision {e.ModRevision}");

    private static string Value(string? value) => value is null ? "(delete)" : "\"" + value + "\"";
}
