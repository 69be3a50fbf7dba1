using System.Globalization;
using System.Text;
using AntiEtcd.Jepsen.Checkers.History;

namespace AntiEtcd.Jepsen.Checkers.ListAppend;

/// <summary>
/// One run of the list-append checker (Elle's list-append, simplified): version orders from reads, the non-cyclic
/// anomalies, the dependency + real-time graph, and its cycles.
/// </summary>
/// <remarks>Not thread-safe; one instance per check.</remarks>
internal sealed class ListAppendAnalysis
{
    private const int MaxSingleRwTries = 256;
    private const int ShownElements = 6;

    private readonly IReadOnlyList<TxnOp> _txns;
    private readonly long _origin;
    private readonly AnomalyLog _anomalies = new();
    private readonly Dictionary<string, KeyHistory> _keys = new(StringComparer.Ordinal);
    private readonly bool[] _inGraph;
    private readonly DependencyGraph _graph;

    public ListAppendAnalysis(IReadOnlyList<TxnOp> txns)
    {
        _txns = txns;
        _origin = long.MaxValue;
        foreach (TxnOp txn in txns)
        {
            ArgumentNullException.ThrowIfNull(txn);
            _origin = Math.Min(_origin, txn.InvokeNanos);
        }

        _inGraph = new bool[txns.Count];
        _graph = new DependencyGraph(txns.Count);
    }

    public CheckResult Run()
    {
        IndexAppends();
        CheckReadsOfOkTxns();
        InferVersionOrders();
        ChooseGraphNodes();
        CheckIntermediateReads();
        CheckLostAppends();
        BuildDependencyEdges();
        BuildRealTimeEdges();
        int cycles = FindCycles();

        int nodes = 0;
        foreach (bool b in _inGraph)
        {
            nodes += b ? 1 : 0;
        }

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"list-append: {_txns.Count} txns on {_keys.Count} keys; graph of {nodes} txns (ok, and unknown ones whose appends were read) and {_graph.EdgeCount} edges (ww/wr/rw/realtime); {cycles} cyclic component(s).");
        if (_anomalies.IsEmpty)
        {
            sb.Append(" Strict serializable: no anomaly and no cycle, including real-time edges.");
            return new CheckResult(true, sb.ToString(), _txns.Count);
        }

        sb.Append(" NOT strict serializable: ").Append(_anomalies.Summary()).Append('.');
        _anomalies.AppendTo(sb);
        sb.Append("\nTimes are relative to the history's first invocation.");
        return new CheckResult(false, sb.ToString(), _txns.Count);
    }

    private KeyHistory KeyOf(string key)
    {
        if (!_keys.TryGetValue(key, out KeyHistory? history))
        {
            history = new KeyHistory(key);
            _keys.Add(key, history);
        }

        return history;
    }

    private void IndexAppends()
    {
        for (int t = 0; t < _txns.Count; t++)
        {
            TxnOp txn = _txns[t];
            if (txn.Outcome != Outcome.Unknown && txn.CompleteNanos < txn.InvokeNanos)
            {
                int captured = t;
                _anomalies.Add("malformed history", () => Describe(captured) + " completes before it is invoked");
            }

            foreach (MicroOp op in txn.Ops)
            {
                if (op.Kind != MicroOpKind.Append)
                {
                    continue;
                }

                KeyHistory key = KeyOf(op.Key);
                if (!key.Writer.TryAdd(op.Element, t))
                {
                    int first = key.Writer[op.Element];
                    int second = t;
                    _anomalies.Add("malformed history", () =>
                        $"element {op.Element} appended twice to \"{op.Key}\" (elements must be unique per key): {Describe(first)} and {Describe(second)}");
                }

                key.LastAppendOf[t] = op.Element;
            }
        }
    }

    /// <summary>Per read: internal consistency with the txn's own earlier steps, duplicates, garbage and aborted reads.</summary>
    private void CheckReadsOfOkTxns()
    {
        var seen = new HashSet<long>();
        for (int t = 0; t < _txns.Count; t++)
        {
            TxnOp txn = _txns[t];
            if (txn.Outcome != Outcome.Ok)
            {
                continue;
            }

            // What this txn must see for each key: the list it last read plus its own appends since (known), or only
            // its own appends so far (the tail it must see after whatever others wrote).
            Dictionary<string, (List<long>? Known, List<long> Own)>? expected = null;
            foreach (MicroOp op in txn.Ops)
            {
                expected ??= new Dictionary<string, (List<long>? Known, List<long> Own)>(StringComparer.Ordinal);
                if (!expected.TryGetValue(op.Key, out (List<long>? Known, List<long> Own) mine))
                {
                    mine = (null, []);
                }

                if (op.Kind == MicroOpKind.Append)
                {
                    (mine.Known ?? mine.Own).Add(op.Element);
                    expected[op.Key] = mine;
                    continue;
                }

                if (op.ReadResult is not { } values)
                {
                    int captured = t;
                    _anomalies.Add("malformed history", () => Describe(captured) + $" is ok but its read of \"{op.Key}\" has no result");
                    continue;
                }

                CheckInternal(t, op.Key, values, mine);
                expected[op.Key] = ([.. values], []);
                CheckElements(t, op.Key, values, seen);

                KeyHistory key = KeyOf(op.Key);
                int external = values.Count;
                while (external > 0 && key.Writer.TryGetValue(values[external - 1], out int w) && w == t)
                {
                    external--;
                }

                key.Reads.Add(new KeyRead(t, values, external));
                foreach (long e in values)
                {
                    key.Observed.Add(e);
                }
            }
        }
    }

    private void CheckInternal(int t, string key, IReadOnlyList<long> values, (List<long>? Known, List<long> Own) mine)
    {
        bool consistent;
        if (mine.Known is { } known)
        {
            consistent = values.Count == known.Count;
            for (int i = 0; consistent && i < known.Count; i++)
            {
                consistent = values[i] == known[i];
            }
        }
        else
        {
            List<long> own = mine.Own;
            consistent = values.Count >= own.Count;
            for (int i = 0; consistent && i < own.Count; i++)
            {
                consistent = values[values.Count - own.Count + i] == own[i];
            }
        }

        if (!consistent)
        {
            IReadOnlyList<long> expectedList = mine.Known ?? mine.Own;
            string shape = mine.Known is null ? "to end with its own appends " : "to equal ";
            _anomalies.Add("internal inconsistency", () =>
                $"{Describe(t)} read \"{key}\" as {FormatList(values)} but its own earlier steps require it {shape}{FormatList(expectedList)}");
        }
    }

    private void CheckElements(int t, string key, IReadOnlyList<long> values, HashSet<long> seen)
    {
        seen.Clear();
        _keys.TryGetValue(key, out KeyHistory? history);
        foreach (long e in values)
        {
            if (!seen.Add(e))
            {
                _anomalies.Add("duplicated element", () => $"{Describe(t)} read \"{key}\" as {FormatList(values)}: element {e} appears twice");
            }

            if (history is null || !history.Writer.TryGetValue(e, out int writer))
            {
                _anomalies.Add("garbage read (element never appended)", () => $"{Describe(t)} read \"{key}\" as {FormatList(values)}: nobody ever appended {e}");
            }
            else if (_txns[writer].Outcome == Outcome.Fail)
            {
                _anomalies.Add("G1a aborted read", () => $"{Describe(t)} read \"{key}\" as {FormatList(values)}: {e} was appended by failed {Describe(writer)}");
            }
        }
    }

    /// <summary>Each key's version order is its longest read; every read must be a prefix of it.</summary>
    private void InferVersionOrders()
    {
        foreach (KeyHistory key in _keys.Values)
        {
            KeyRead? longest = null;
            foreach (KeyRead read in key.Reads)
            {
                if (longest is null || read.Values.Count > longest.Values.Count)
                {
                    longest = read;
                }
            }

            if (longest is null)
            {
                continue;
            }

            key.Order = longest.Values;
            foreach (KeyRead read in key.Reads)
            {
                for (int i = 0; i < read.Values.Count; i++)
                {
                    if (read.Values[i] != longest.Values[i])
                    {
                        read.Compatible = false;
                        KeyRead a = read;
                        KeyRead b = longest;
                        int at = i;
                        _anomalies.Add("incompatible order", () =>
                            $"reads of \"{key.Key}\" are not prefixes of one another (differ at index {at}): {Describe(a.Txn)} read {FormatList(a.Values)}, {Describe(b.Txn)} read {FormatList(b.Values)}");
                        break;
                    }
                }
            }
        }
    }

    /// <summary>Ok txns, plus unknown txns whose appends someone read (so they took effect).</summary>
    private void ChooseGraphNodes()
    {
        for (int t = 0; t < _txns.Count; t++)
        {
            _inGraph[t] = _txns[t].Outcome == Outcome.Ok;
        }

        foreach (KeyHistory key in _keys.Values)
        {
            foreach (long e in key.Observed)
            {
                if (key.Writer.TryGetValue(e, out int writer) && _txns[writer].Outcome == Outcome.Unknown)
                {
                    _inGraph[writer] = true;
                }
            }
        }
    }

    /// <summary>G1b: a read whose last element (from another txn) is not that txn's last append to the key.</summary>
    private void CheckIntermediateReads()
    {
        foreach (KeyHistory key in _keys.Values)
        {
            foreach (KeyRead read in key.Reads)
            {
                if (read.ExternalLength == 0)
                {
                    continue;
                }

                long last = read.Values[read.ExternalLength - 1];
                if (key.Writer.TryGetValue(last, out int writer) && writer != read.Txn &&
                    _txns[writer].Outcome != Outcome.Fail && key.LastAppendOf[writer] != last)
                {
                    long final = key.LastAppendOf[writer];
                    _anomalies.Add("G1b intermediate read", () =>
                        $"{Describe(read.Txn)} read \"{key.Key}\" as {FormatList(read.Values)}, ending in {last} from the middle of {Describe(writer)}, whose last append to it is {final}");
                }
            }
        }
    }

    /// <summary>
    /// An Ok append that no read shows, although a read invoked after it completed, or an append that a read shows
    /// and that was invoked after it completed, must have followed it: the write was lost.
    /// </summary>
    private void CheckLostAppends()
    {
        foreach (KeyHistory key in _keys.Values)
        {
            int latestRead = -1;
            foreach (KeyRead read in key.Reads)
            {
                if (latestRead == -1 || _txns[read.Txn].InvokeNanos > _txns[latestRead].InvokeNanos)
                {
                    latestRead = read.Txn;
                }
            }

            int latestOrdered = -1;
            long latestOrderedElement = 0;
            foreach (long e in key.Order)
            {
                if (key.Writer.TryGetValue(e, out int w) && (latestOrdered == -1 || _txns[w].InvokeNanos > _txns[latestOrdered].InvokeNanos))
                {
                    latestOrdered = w;
                    latestOrderedElement = e;
                }
            }

            foreach ((long element, int writer) in key.Writer)
            {
                TxnOp txn = _txns[writer];
                if (txn.Outcome != Outcome.Ok || key.Observed.Contains(element))
                {
                    continue;
                }

                if (latestRead != -1 && _txns[latestRead].InvokeNanos > txn.CompleteNanos)
                {
                    int reader = latestRead;
                    _anomalies.Add("lost append", () =>
                        $"{Describe(writer)} appended {element} to \"{key.Key}\", yet no read shows it, not even {Describe(reader)}, invoked after it completed");
                }
                else if (latestOrdered != -1 && _txns[latestOrdered].InvokeNanos > txn.CompleteNanos)
                {
                    int later = latestOrdered;
                    long laterElement = latestOrderedElement;
                    _anomalies.Add("lost append", () =>
                        $"{Describe(writer)} appended {element} to \"{key.Key}\", yet no read shows it, although reads show {laterElement}, appended by {Describe(later)}, invoked after it completed");
                }
            }
        }
    }

    private void BuildDependencyEdges()
    {
        foreach (KeyHistory key in _keys.Values)
        {
            // ww: consecutive versions by different txns.
            IReadOnlyList<long> order = key.Order;
            for (int i = 0; i + 1 < order.Count; i++)
            {
                if (TryWriter(key, order[i], out int a) && TryWriter(key, order[i + 1], out int b))
                {
                    _graph.Add(a, b, EdgeKind.WW, new EdgeWhy(key.Key, order[i], order[i + 1]));
                }
            }

            foreach (KeyRead read in key.Reads)
            {
                int reader = read.Txn;

                // wr: the reader saw the writer's append as the newest element (before its own).
                if (read.ExternalLength > 0 && TryWriter(key, read.Values[read.ExternalLength - 1], out int writer))
                {
                    _graph.Add(writer, reader, EdgeKind.WR, new EdgeWhy(key.Key, read.Values[read.ExternalLength - 1], 0));
                }

                // rw: the reader did not see the next version; whoever appended it came after the reader.
                if (read.Compatible && read.ExternalLength < order.Count && TryWriter(key, order[read.ExternalLength], out int next))
                {
                    long seen = read.ExternalLength > 0 ? read.Values[read.ExternalLength - 1] : long.MinValue;
                    _graph.Add(reader, next, EdgeKind.RW, new EdgeWhy(key.Key, seen, order[read.ExternalLength]));
                }
            }
        }
    }

    private bool TryWriter(KeyHistory key, long element, out int writer) =>
        key.Writer.TryGetValue(element, out writer) && _inGraph[writer];

    /// <summary>
    /// Real-time edges, transitively reduced: at each invocation, an edge from every txn in the "frontier" of
    /// completed txns not yet implied by a later completion; when a txn completes it replaces the frontier members
    /// that preceded its invocation. This keeps O(n × concurrency) edges instead of O(n²) with the same reachability.
    /// </summary>
    private void BuildRealTimeEdges()
    {
        var events = new List<(long Time, bool IsComplete, int Txn)>();
        for (int t = 0; t < _txns.Count; t++)
        {
            if (!_inGraph[t])
            {
                continue;
            }

            events.Add((_txns[t].InvokeNanos, false, t));
            if (_txns[t].Outcome == Outcome.Ok)
            {
                events.Add((_txns[t].CompleteNanos, true, t));
            }
        }

        // At equal times invocations first: touching windows count as concurrent (equal stamps prove no order).
        events.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.IsComplete.CompareTo(b.IsComplete));
        var frontier = new HashSet<int>();
        var predecessors = new Dictionary<int, int[]>();
        foreach ((long _, bool isComplete, int txn) in events)
        {
            if (!isComplete)
            {
                int[] preds = [.. frontier];
                predecessors[txn] = preds;
                foreach (int p in preds)
                {
                    _graph.Add(p, txn, EdgeKind.RT);
                }

                continue;
            }

            foreach (int p in predecessors[txn])
            {
                frontier.Remove(p);
            }

            frontier.Add(txn);
        }
    }

    /// <summary>Reports the weakest cycle of every cyclic component of the full graph.</summary>
    /// <returns>How many cyclic components were found.</returns>
    private int FindCycles()
    {
        List<int[]> components = _graph.CyclicComponents(EdgeKind.All, _inGraph);
        // One membership mask, set and cleared per component, so many small cycles cost O(size) each.
        var member = new bool[_txns.Count];
        foreach (int[] component in components)
        {
            foreach (int t in component)
            {
                member[t] = true;
            }

            List<int>? cycle = null;
            EdgeKind used = EdgeKind.None;
            int rwEdge = -1;
            foreach (EdgeKind allowed in (EdgeKind[])[EdgeKind.WW, EdgeKind.WW | EdgeKind.WR, EdgeKind.WW | EdgeKind.WR | EdgeKind.RW])
            {
                (cycle, rwEdge) = allowed.HasFlag(EdgeKind.RW) ? SingleRwCycle(member, EdgeKind.WW | EdgeKind.WR) : (null, -1);
                cycle ??= AnyCycle(member, allowed);
                if (cycle is not null)
                {
                    used = allowed;
                    break;
                }
            }

            if (cycle is null)
            {
                foreach (EdgeKind allowed in (EdgeKind[])[EdgeKind.WW | EdgeKind.RT, EdgeKind.WW | EdgeKind.WR | EdgeKind.RT, EdgeKind.All])
                {
                    (cycle, rwEdge) = allowed.HasFlag(EdgeKind.RW) ? SingleRwCycle(member, EdgeKind.WW | EdgeKind.WR | EdgeKind.RT) : (null, -1);
                    cycle ??= AnyCycle(member, allowed);
                    if (cycle is not null)
                    {
                        used = allowed;
                        break;
                    }
                }
            }

            if (cycle is null)
            {
                throw new InvalidOperationException("a strongly connected component has no cycle");
            }

            foreach (int t in component)
            {
                member[t] = false;
            }

            List<int> found = cycle;
            EdgeKind kinds = used;
            int designated = rwEdge;
            _anomalies.Add(CycleName(found, kinds, designated), () => DescribeCycle(found, kinds, designated));
        }

        return components.Count;
    }

    private List<int>? AnyCycle(bool[] member, EdgeKind allowed)
    {
        List<int[]> components = _graph.CyclicComponents(allowed, member);
        if (components.Count == 0)
        {
            return null;
        }

        // Every node of a strongly connected component lies on a cycle inside it; the component is within member,
        // and a path leaving it could not come back, so searching within member finds a cycle inside the component.
        int start = components[0][0];
        return _graph.ShortestPath(start, start, allowed, member);
    }

    /// <summary>A cycle made of exactly one rw edge and a path of <paramref name="others"/> edges back (G-single).</summary>
    /// <returns>The cycle starting with the rw edge's source, and the index of the rw edge in it (0), or (null, -1).</returns>
    private (List<int>? Cycle, int RwEdge) SingleRwCycle(bool[] member, EdgeKind others)
    {
        int tries = 0;
        for (int u = 0; u < member.Length && tries < MaxSingleRwTries; u++)
        {
            if (!member[u])
            {
                continue;
            }

            foreach ((int v, EdgeKind kinds) in _graph.EdgesFrom(u))
            {
                if (!member[v] || !kinds.HasFlag(EdgeKind.RW) || (kinds & others) != 0)
                {
                    continue;
                }

                tries++;
                List<int>? back = _graph.ShortestPath(v, u, others, member);
                if (back is not null)
                {
                    var cycle = new List<int> { u };
                    cycle.AddRange(back);
                    return (cycle, 0);
                }
            }
        }

        return (null, -1);
    }

    /// <summary>The kind of edge step i of the cycle is counted as: the designated rw edge, else the weakest allowed kind present.</summary>
    private EdgeKind StepKind(List<int> cycle, int i, EdgeKind allowed, int rwEdge)
    {
        EdgeKind kinds = _graph.KindsOf(cycle[i], cycle[i + 1]) & allowed;
        if (i == rwEdge)
        {
            return EdgeKind.RW;
        }

        foreach (EdgeKind k in (EdgeKind[])[EdgeKind.WW, EdgeKind.WR, EdgeKind.RT, EdgeKind.RW])
        {
            if (kinds.HasFlag(k))
            {
                return k;
            }
        }

        return EdgeKind.None;
    }

    private string CycleName(List<int> cycle, EdgeKind allowed, int rwEdge)
    {
        int rw = 0;
        bool wr = false;
        bool rt = false;
        for (int i = 0; i + 1 < cycle.Count; i++)
        {
            EdgeKind k = StepKind(cycle, i, allowed, rwEdge);
            rw += k == EdgeKind.RW ? 1 : 0;
            wr |= k == EdgeKind.WR;
            rt |= k == EdgeKind.RT;
        }

        string name = rw switch
        {
            0 => wr ? "G1c" : "G0",
            1 => "G-single",
            _ => "G2",
        };
        return name + (rt ? "-realtime" : string.Empty) + " cycle";
    }

    private string DescribeCycle(List<int> cycle, EdgeKind allowed, int rwEdge)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{cycle.Count - 1} txns: ");
        for (int i = 0; i + 1 < cycle.Count; i++)
        {
            int from = cycle[i];
            int to = cycle[i + 1];
            EdgeKind k = StepKind(cycle, i, allowed, rwEdge);
            sb.Append(Describe(from)).Append(" -").Append(k.ToString().ToLowerInvariant());
            if (_graph.TryGetWhy(from, to, k, out EdgeWhy why))
            {
                sb.Append(k switch
                {
                    EdgeKind.WW => $" (\"{why.Key}\": {why.From} then {why.To})",
                    EdgeKind.WR => $" (\"{why.Key}\": read {why.From})",
                    _ => why.From == long.MinValue
                        ? $" (\"{why.Key}\": read it empty, next version {why.To})"
                        : $" (\"{why.Key}\": read up to {why.From}, next version {why.To})",
                });
            }

            sb.Append("-> ");
        }

        // The cycle closes on its first txn, already described.
        return sb.Append('T').Append(cycle[^1].ToString(CultureInfo.InvariantCulture)).ToString();
    }

    private string Describe(int t)
    {
        TxnOp txn = _txns[t];
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"T{t}(p{txn.Process} {txn.Outcome.ToString().ToLowerInvariant()} ");
        sb.Append(HistoryTime.Window(txn.InvokeNanos, txn.Outcome == Outcome.Unknown ? HistoryTime.Never : txn.CompleteNanos, _origin)).Append(' ');
        sb.Append('[');
        for (int i = 0; i < txn.Ops.Count; i++)
        {
            MicroOp op = txn.Ops[i];
            sb.Append(i == 0 ? string.Empty : ", ");
            if (op.Kind == MicroOpKind.Append)
            {
                sb.Append(CultureInfo.InvariantCulture, $"a {op.Key} {op.Element}");
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"r {op.Key} ").Append(op.ReadResult is { } values ? FormatList(values) : "?");
            }
        }

        return sb.Append("])").ToString();
    }

    private static string FormatList(IReadOnlyList<long> values)
    {
        var sb = new StringBuilder("[");
        int start = values.Count > ShownElements ? values.Count - ShownElements : 0;
        if (start > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"({start} more) ... ");
        }

        for (int i = start; i < values.Count; i++)
        {
            sb.Append(i == start ? string.Empty : " ").Append(values[i].ToString(CultureInfo.InvariantCulture));
        }

        return sb.Append(']').ToString();
    }
}
