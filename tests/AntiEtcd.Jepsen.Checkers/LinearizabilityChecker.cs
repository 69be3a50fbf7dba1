using System.Globalization;
using System.Text;
using AntiEtcd.Jepsen.Checkers.History;
using AntiEtcd.Jepsen.Checkers.Linearizability;

namespace AntiEtcd.Jepsen.Checkers;

/// <summary>
/// Decides whether a history of single-key register operations is linearizable (Herlihy &amp; Wing): whether every
/// op that took effect can be given one point between its invocation and its completion such that the ops, applied
/// in that order to one register, return what the clients saw.
/// </summary>
/// <remarks>
/// Model: every key starts absent (null); a read returns the current value; a write sets it; a CAS sets it iff the
/// current value equals the expected one. Ok ops took effect exactly once inside their window. Fail ops (including
/// a CAS whose compare was false) never took effect and are dropped. Unknown writes and CASes may take effect at any
/// point after their invocation, or never; unknown reads carry no information and are dropped.
/// Keys are independent (P-compositionality: a history is linearizable iff each key's sub-history is), so each key
/// is searched alone. The search is Wing–Gong/porcupine depth-first with memoized (linearized set, value) pairs and a
/// budget of memoized states per key; a key that runs out of budget makes the result invalid with the verdict
/// "unknown (budget exhausted)", never a silent pass. Stateless and thread-safe.
/// </remarks>
public static class LinearizabilityChecker
{
    /// <summary>Default budget of memoized states per key (about 50 MB of memo in the worst case).</summary>
    public const long DefaultMaxStatesPerKey = 1_000_000;

    /// <summary>Checks a register history with the default budget (<see cref="DefaultMaxStatesPerKey"/>).</summary>
    /// <param name="history">Every op the clients ran, in any order, any outcome.</param>
    /// <returns>Valid when every key is linearizable; otherwise the failing key(s) with the longest linearizable prefix and the op that could not be placed.</returns>
    public static CheckResult CheckRegister(IReadOnlyList<RegisterOp> history) => CheckRegister(history, DefaultMaxStatesPerKey);

    /// <summary>Checks a register history.</summary>
    /// <param name="history">Every op the clients ran, in any order, any outcome.</param>
    /// <param name="maxStatesPerKey">Memoized states after which a key is reported as undecided (invalid). At least 1.</param>
    /// <returns>Valid when every key is linearizable; otherwise the failing or undecided key(s) with evidence.</returns>
    public static CheckResult CheckRegister(IReadOnlyList<RegisterOp> history, long maxStatesPerKey)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStatesPerKey, 1);

        long origin = long.MaxValue;
        var byKey = new Dictionary<string, List<RegisterOp>>(StringComparer.Ordinal);
        var malformed = new StringBuilder();
        foreach (RegisterOp op in history)
        {
            ArgumentNullException.ThrowIfNull(op);
            origin = Math.Min(origin, op.InvokeNanos);
            if (op.Outcome != Outcome.Unknown && op.CompleteNanos < op.InvokeNanos)
            {
                malformed.Append(CultureInfo.InvariantCulture, $"p{op.Process} {op.Kind} on \"{op.Key}\" completes before it is invoked; ");
            }

            if (!byKey.TryGetValue(op.Key, out List<RegisterOp>? ops))
            {
                ops = [];
                byKey.Add(op.Key, ops);
            }

            ops.Add(op);
        }

        if (malformed.Length > 0)
        {
            return new CheckResult(false, "register: malformed history: " + malformed.ToString().TrimEnd(' ', ';'), history.Count);
        }

        var keys = new List<string>(byKey.Keys);
        keys.Sort(StringComparer.Ordinal);
        var failures = new StringBuilder();
        int failed = 0;
        int undecided = 0;
        long searched = 0;
        long dropped = 0;
        long states = 0;
        foreach (string key in keys)
        {
            RegisterKeyResult result = RegisterSearch.Check(key, byKey[key], origin, maxStatesPerKey);
            searched += result.OpsSearched;
            dropped += result.OpsDropped;
            states += result.StatesVisited;
            if (result.Verdict == RegisterVerdict.Linearizable)
            {
                continue;
            }

            if (result.Verdict == RegisterVerdict.NotLinearizable)
            {
                failed++;
            }
            else
            {
                undecided++;
            }

            failures.Append(result.Explanation).Append('\n');
        }

        string summary = string.Create(CultureInfo.InvariantCulture,
            $"register: {history.Count} ops on {keys.Count} keys; {searched} searched, {dropped} dropped (failed ops, unknown reads, unknown writes nobody observed); {states} states explored.");
        if (failed == 0 && undecided == 0)
        {
            return new CheckResult(true, summary + " Linearizable.", searched);
        }

        string verdict = failed > 0
            ? string.Create(CultureInfo.InvariantCulture, $" NOT linearizable: {failed} key(s) violate linearizability, {undecided} undecided.\n")
            : string.Create(CultureInfo.InvariantCulture, $" UNKNOWN (budget exhausted) on {undecided} key(s): not proven linearizable.\n");
        return new CheckResult(false, summary + verdict + failures.ToString().TrimEnd('\n'), searched);
    }
}
