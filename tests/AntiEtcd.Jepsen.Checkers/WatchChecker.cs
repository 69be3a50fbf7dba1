using AntiEtcd.Jepsen.Checkers.History;
using AntiEtcd.Jepsen.Checkers.Watch;

namespace AntiEtcd.Jepsen.Checkers;

/// <summary>
/// Checks what watchers received against the writes the clients made, after etcd's robustness watch validators:
/// ordered, unique, no phantoms, reliable (complete) and consistent between watchers.
/// </summary>
/// <remarks>
/// Per watch: revisions never go backwards (events of one revision may come in any key order); no (key, mod_revision)
/// twice; every event under the prefix and at or after the start revision; every event explained by a write that did
/// not fail (an ok write at exactly that key and revision with the same value, or an unknown write of that key and
/// value; otherwise a phantom); every ok write under the prefix with start &lt;= revision &lt;= end present (for a
/// compacted watch only up to its last event). Across watches: the same (key, revision) has the same value
/// everywhere, and an event any watcher saw reaches every watcher complete over it. A delete that deleted nothing
/// creates no revision and no event in etcd, so the writer must not record it as an ok write. Stateless and thread-safe.
/// </remarks>
public static class WatchChecker
{
    /// <summary>Checks watch histories.</summary>
    /// <param name="writes">Every write attempted on the watched keys, with its outcome and, when ok, its revision.</param>
    /// <param name="watches">What each watcher received.</param>
    /// <returns>Valid when no anomaly was found; otherwise every anomaly kind with a count and the first few examples.</returns>
    public static CheckResult Check(IReadOnlyList<WriteRecord> writes, IReadOnlyList<WatchRecord> watches)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(watches);
        return new WatchAnalysis(writes, watches).Run();
    }
}
