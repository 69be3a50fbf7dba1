namespace AntiEtcd.Jepsen.Checkers.Linearizability;

/// <summary>What the search concluded about one key.</summary>
/// <param name="Verdict">Linearizable, refuted, or undecided within the budget.</param>
/// <param name="Explanation">For a refuted or undecided key: the key, the longest linearizable prefix and the op(s) that could not be placed.</param>
/// <param name="OpsSearched">Ops that took part in the search (after dropping failed ops, unknown reads and invisible unknown writes).</param>
/// <param name="OpsDropped">Ops that could not matter: failed ops, unknown reads, and unknown writes whose value nobody observed.</param>
/// <param name="StatesVisited">Distinct (linearized set, state) pairs memoized.</param>
internal sealed record RegisterKeyResult(RegisterVerdict Verdict, string Explanation, int OpsSearched, int OpsDropped, long StatesVisited);
