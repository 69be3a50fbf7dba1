using System.Globalization;
using System.Text;
using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen.Checkers.Linearizability;

/// <summary>
/// Wing–Gong linearizability search over the ops of ONE register key, with Lowe's memoization of
/// (linearized set, state) as in porcupine: the history is a doubly linked list of call and return entries in
/// time order; the search walks it from the head, tentatively linearizes a call whose model step is legal and whose
/// resulting (set, state) was never seen, lifts that op out of the list and restarts from the head; reaching a
/// return entry means that op's deadline passed unplaced, so the last choice is undone.
/// </summary>
/// <remarks>
/// Unknown ops have their return at +infinity (after every finite entry) and are optional: reaching the return of
/// an unknown op means every op that had to take effect has been placed, so the history is linearizable with the
/// remaining unknown ops never taking effect. The linearized set is stored compactly: op ids are assigned in invoke
/// order (finite ops first, unknown ops last), the fully linearized prefix of finite ops is stored as a word index,
/// and only the words from the first hole to the last linearized finite op follow, then the unknown ops' words.
/// Not thread-safe; one instance per key and per check.
/// </remarks>
internal sealed class RegisterSearch
{
    private const int ShownPrefixOps = 8;
    private const int ShownCandidates = 8;

    private readonly string _key;
    private readonly long _origin;
    private readonly long _maxStates;

    // Ops, by id: finite (Ok) ops 0.._finiteCount-1 in invoke order, then unknown ops.
    private readonly RegisterOp[] _ops;
    private readonly int _finiteCount;
    private readonly int _dropped;

    // Entry list: node 0 is the head sentinel; node 1 + 2*id is id's call, 2 + 2*id its return; -1 ends the list.
    private readonly int[] _next;
    private readonly int[] _prev;

    private readonly ulong[] _finiteBits;
    private readonly ulong[] _unknownBits;
    private readonly ulong[] _scratch;

    private RegisterSearch(string key, RegisterOp[] ops, int finiteCount, int dropped, long origin, long maxStates)
    {
        _key = key;
        _ops = ops;
        _finiteCount = finiteCount;
        _dropped = dropped;
        _origin = origin;
        _maxStates = maxStates;
        int n = ops.Length;
        _next = new int[(2 * n) + 1];
        _prev = new int[(2 * n) + 1];
        _finiteBits = new ulong[(finiteCount + 63) / 64];
        _unknownBits = new ulong[(n - finiteCount + 63) / 64];
        _scratch = new ulong[3 + _finiteBits.Length + _unknownBits.Length];
        BuildEntryList();
    }

    /// <summary>Checks the ops of one key (already grouped by key; any outcome).</summary>
    /// <param name="key">The register, for the explanation.</param>
    /// <param name="ops">Every op of this key from the history.</param>
    /// <param name="origin">The history's first invoke, for relative times.</param>
    /// <param name="maxStates">Memoized states after which the search gives up as undecided.</param>
    public static RegisterKeyResult Check(string key, List<RegisterOp> ops, long origin, long maxStates)
    {
        var kept = new List<RegisterOp>(ops.Count);
        foreach (RegisterOp op in ops)
        {
            // A failed op (including a CAS whose compare was false) certainly did not take effect; an unknown read
            // returned nothing, so it constrains nothing.
            if (op.Outcome == Outcome.Fail || (op.Outcome == Outcome.Unknown && op.Kind == RegisterOpKind.Read))
            {
                continue;
            }

            kept.Add(op);
        }

        PruneInvisibleUnknownWrites(kept);
        int dropped = ops.Count - kept.Count;

        kept.Sort(static (a, b) =>
        {
            int byUnknown = (a.Outcome == Outcome.Unknown).CompareTo(b.Outcome == Outcome.Unknown);
            return byUnknown != 0 ? byUnknown : a.InvokeNanos.CompareTo(b.InvokeNanos);
        });
        int finiteCount = 0;
        while (finiteCount < kept.Count && kept[finiteCount].Outcome == Outcome.Ok)
        {
            finiteCount++;
        }

        var search = new RegisterSearch(key, [.. kept], finiteCount, dropped, origin, maxStates);
        return search.Run();
    }

    /// <summary>
    /// Drops unknown writes and CASes whose value no Ok read returns and no CAS expects: if one took effect, the
    /// register would hold a value that no later op can accept except a blind write overwriting it, so removing it
    /// from any linearization leaves a linearization. Dropping them keeps a dozen invisible timeouts from
    /// multiplying the search space by 2^12. Repeated because dropping a CAS can make its expected value invisible.
    /// </summary>
    private static void PruneInvisibleUnknownWrites(List<RegisterOp> kept)
    {
        while (true)
        {
            var observed = new HashSet<long>();
            bool nullObserved = false;
            foreach (RegisterOp op in kept)
            {
                if (op.Kind == RegisterOpKind.Read)
                {
                    Observe(op.Value, observed, ref nullObserved);
                }
                else if (op.Kind == RegisterOpKind.Cas)
                {
                    Observe(op.Expected, observed, ref nullObserved);
                }
            }

            int removed = kept.RemoveAll(op => op.Outcome == Outcome.Unknown && op.Kind != RegisterOpKind.Read &&
                (op.Value is { } v ? !observed.Contains(v) : !nullObserved));
            if (removed == 0)
            {
                return;
            }
        }

        static void Observe(long? value, HashSet<long> observed, ref bool nullObserved)
        {
            if (value is { } v)
            {
                observed.Add(v);
            }
            else
            {
                nullObserved = true;
            }
        }
    }

    private void BuildEntryList()
    {
        int n = _ops.Length;
        var order = new int[2 * n];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i + 1;
        }

        // Time order; at equal times calls sort before returns, so ops that touch at one instant count as concurrent
        // (the lenient reading: equal monotonic stamps do not prove an order). Returns of unknown ops come after every
        // other return even at equal times (an Ok op stamped long.MaxValue), since reaching one means success.
        Array.Sort(order, (a, b) =>
        {
            int byTime = EntryTime(a).CompareTo(EntryTime(b));
            if (byTime != 0)
            {
                return byTime;
            }

            int byKind = IsReturn(a).CompareTo(IsReturn(b));
            return byKind != 0 ? byKind : IsOptional(OpOf(a)).CompareTo(IsOptional(OpOf(b)));
        });

        int previous = 0;
        foreach (int node in order)
        {
            _next[previous] = node;
            _prev[node] = previous;
            previous = node;
        }

        _next[previous] = -1;
    }

    private static bool IsReturn(int node) => (node & 1) == 0;

    private static int OpOf(int node) => (node - 1) >> 1;

    private static int CallNode(int op) => 1 + (2 * op);

    private static int ReturnNode(int op) => 2 + (2 * op);

    private long EntryTime(int node)
    {
        RegisterOp op = _ops[OpOf(node)];
        if (!IsReturn(node))
        {
            return op.InvokeNanos;
        }

        return op.Outcome == Outcome.Unknown ? HistoryTime.Never : op.CompleteNanos;
    }

    private bool IsOptional(int op) => op >= _finiteCount;

    private RegisterKeyResult Run()
    {
        int n = _ops.Length;
        var cache = new StateCache();
        var stackOp = new int[n];
        var stackState = new long?[n];
        int depth = 0;
        long? state = null;

        int bestDepth = -1;
        int[] bestPrefix = [];
        long? bestState = null;
        int bestBlocked = -1;
        var bestCandidates = new List<int>();

        int entry = _next[0];
        while (entry != -1)
        {
            int op = OpOf(entry);
            if (!IsReturn(entry))
            {
                if (TryStep(_ops[op], state, out long? after))
                {
                    SetBit(op, true);
                    if (cache.TryAdd(BuildKey(after)))
                    {
                        if (cache.Count > _maxStates)
                        {
                            return Exhausted(cache.Count, bestDepth, bestPrefix, bestState, bestBlocked, bestCandidates);
                        }

                        stackOp[depth] = op;
                        stackState[depth] = state;
                        depth++;
                        state = after;
                        Lift(op);
                        entry = _next[0];
                        continue;
                    }

                    SetBit(op, false);
                }

                entry = _next[entry];
                continue;
            }

            if (IsOptional(op))
            {
                // Only unknown ops remain: they never took effect.
                return new RegisterKeyResult(RegisterVerdict.Linearizable, string.Empty, n, _dropped, cache.Count);
            }

            if (depth > bestDepth)
            {
                bestDepth = depth;
                bestPrefix = stackOp.AsSpan(0, depth).ToArray();
                bestState = state;
                bestBlocked = op;
                bestCandidates.Clear();
                for (int e = _next[0]; e != entry && bestCandidates.Count < ShownCandidates; e = _next[e])
                {
                    if (!IsReturn(e))
                    {
                        bestCandidates.Add(OpOf(e));
                    }
                }
            }

            if (depth == 0)
            {
                return Refuted(cache.Count, bestPrefix, bestState, bestBlocked, bestCandidates);
            }

            depth--;
            int undone = stackOp[depth];
            state = stackState[depth];
            SetBit(undone, false);
            Unlift(undone);
            entry = _next[CallNode(undone)];
        }

        return new RegisterKeyResult(RegisterVerdict.Linearizable, string.Empty, n, _dropped, cache.Count);
    }

    /// <summary>The register model: absent initially; a read returns the value; a write sets it; a CAS sets it iff the value equals the expected one.</summary>
    private static bool TryStep(RegisterOp op, long? state, out long? after)
    {
        switch (op.Kind)
        {
            case RegisterOpKind.Read:
                after = state;
                return op.Value == state;
            case RegisterOpKind.Write:
                after = op.Value;
                return true;
            default:
                after = op.Value;
                return op.Expected == state;
        }
    }

    private void SetBit(int op, bool value)
    {
        ulong[] bits = op < _finiteCount ? _finiteBits : _unknownBits;
        int index = op < _finiteCount ? op : op - _finiteCount;
        ulong mask = 1UL << (index & 63);
        if (value)
        {
            bits[index >> 6] |= mask;
        }
        else
        {
            bits[index >> 6] &= ~mask;
        }
    }

    private ReadOnlySpan<ulong> BuildKey(long? state)
    {
        // Words before the first hole are all ones: the word index stands for them.
        int start = 0;
        while (start < _finiteBits.Length && _finiteBits[start] == ulong.MaxValue)
        {
            start++;
        }

        int end = _finiteBits.Length;
        while (end > start && _finiteBits[end - 1] == 0)
        {
            end--;
        }

        int length = 0;
        _scratch[length++] = state.HasValue ? 1UL : 0UL;
        _scratch[length++] = unchecked((ulong)state.GetValueOrDefault());
        _scratch[length++] = (ulong)start;
        for (int w = start; w < end; w++)
        {
            _scratch[length++] = _finiteBits[w];
        }

        // The unknown words have a fixed count per key, after a variable run: mark the boundary by the run length.
        _scratch[2] |= (ulong)(end - start) << 32;
        foreach (ulong w in _unknownBits)
        {
            _scratch[length++] = w;
        }

        return _scratch.AsSpan(0, length);
    }

    private void Lift(int op)
    {
        Remove(CallNode(op));
        Remove(ReturnNode(op));
    }

    private void Unlift(int op)
    {
        Restore(ReturnNode(op));
        Restore(CallNode(op));
    }

    private void Remove(int node)
    {
        int p = _prev[node];
        int x = _next[node];
        _next[p] = x;
        if (x != -1)
        {
            _prev[x] = p;
        }
    }

    private void Restore(int node)
    {
        int p = _prev[node];
        int x = _next[node];
        _next[p] = node;
        if (x != -1)
        {
            _prev[x] = node;
        }
    }

    private RegisterKeyResult Refuted(long states, int[] prefix, long? state, int blocked, List<int> candidates)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"key \"{_key}\": NOT linearizable ({_ops.Length} ops searched, {_dropped} dropped, {states} states explored, search space exhausted). ");
        AppendEvidence(sb, prefix, state, blocked, candidates);
        return new RegisterKeyResult(RegisterVerdict.NotLinearizable, sb.ToString(), _ops.Length, _dropped, states);
    }

    private RegisterKeyResult Exhausted(long states, int bestDepth, int[] prefix, long? state, int blocked, List<int> candidates)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"key \"{_key}\": UNKNOWN (budget exhausted): gave up after {states} states (budget {_maxStates}) over {_ops.Length} ops; neither a linearization nor a violation was proven. ");
        if (bestDepth >= 0)
        {
            sb.Append("Deepest dead end so far: ");
            AppendEvidence(sb, prefix, state, blocked, candidates);
        }

        return new RegisterKeyResult(RegisterVerdict.BudgetExhausted, sb.ToString(), _ops.Length, _dropped, states);
    }

    private void AppendEvidence(StringBuilder sb, int[] prefix, long? state, int blocked, List<int> candidates)
    {
        sb.Append(CultureInfo.InvariantCulture, $"Longest linearizable prefix: {prefix.Length} ops");
        if (prefix.Length > 0)
        {
            sb.Append(prefix.Length > ShownPrefixOps ? ", ending with: " : ": ");
            for (int i = Math.Max(0, prefix.Length - ShownPrefixOps); i < prefix.Length; i++)
            {
                sb.Append(Describe(_ops[prefix[i]])).Append(i + 1 < prefix.Length ? "; " : string.Empty);
            }
        }

        sb.Append(CultureInfo.InvariantCulture, $". The register then holds {FormatValue(state)}. ");
        if (blocked >= 0)
        {
            sb.Append("Could not linearize ").Append(Describe(_ops[blocked]))
              .Append(": it completed before any legal order could place it");
            var others = new List<int>();
            foreach (int c in candidates)
            {
                if (c != blocked)
                {
                    others.Add(c);
                }
            }

            if (others.Count > 0)
            {
                sb.Append("; other ops pending then (none of which helps): ");
                for (int i = 0; i < others.Count; i++)
                {
                    sb.Append(Describe(_ops[others[i]])).Append(i + 1 < others.Count ? "; " : string.Empty);
                }
            }

            sb.Append('.');
        }

        sb.Append(" Times are relative to the history's first invocation.");
    }

    private string Describe(RegisterOp op)
    {
        string what = op.Kind switch
        {
            RegisterOpKind.Read => "read -> " + FormatValue(op.Value),
            RegisterOpKind.Write => "write " + FormatValue(op.Value),
            _ => "cas " + FormatValue(op.Expected) + " -> " + FormatValue(op.Value),
        };
        long complete = op.Outcome == Outcome.Unknown ? HistoryTime.Never : op.CompleteNanos;
        string outcome = op.Outcome == Outcome.Unknown ? " (unknown outcome)" : string.Empty;
        return "p" + op.Process.ToString(CultureInfo.InvariantCulture) + " " + what + outcome + " " + HistoryTime.Window(op.InvokeNanos, complete, _origin);
    }

    private static string FormatValue(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "absent";
}
