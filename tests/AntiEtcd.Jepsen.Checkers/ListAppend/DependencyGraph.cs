namespace AntiEtcd.Jepsen.Checkers.ListAppend;

/// <summary>
/// A directed graph over transactions whose edges carry a set of <see cref="EdgeKind"/>s, with the searches the
/// cycle classification needs: strongly connected components and shortest cycles restricted to some edge kinds.
/// </summary>
/// <remarks>Not thread-safe. Searches are iterative (no recursion), so a history of any length cannot overflow the stack.</remarks>
internal sealed class DependencyGraph
{
    private readonly List<int>[] _targets;
    private readonly List<EdgeKind>[] _kinds;
    private readonly Dictionary<long, int> _edgeSlot = [];
    private readonly Dictionary<(long Pair, EdgeKind Kind), EdgeWhy> _why = [];

    /// <summary>Creates a graph of <paramref name="nodeCount"/> nodes and no edges.</summary>
    public DependencyGraph(int nodeCount)
    {
        NodeCount = nodeCount;
        _targets = new List<int>[nodeCount];
        _kinds = new List<EdgeKind>[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            _targets[i] = [];
            _kinds[i] = [];
        }
    }

    /// <summary>The number of nodes.</summary>
    public int NodeCount { get; }

    /// <summary>How many distinct (from, to) pairs have an edge.</summary>
    public int EdgeCount => _edgeSlot.Count;

    /// <summary>Adds <paramref name="kind"/> to the edge from → to (self-edges are ignored: they order nothing).</summary>
    public void Add(int from, int to, EdgeKind kind, EdgeWhy why = default)
    {
        if (from == to)
        {
            return;
        }

        long pair = Pair(from, to);
        if (_edgeSlot.TryGetValue(pair, out int slot))
        {
            _kinds[from][slot] |= kind;
        }
        else
        {
            _edgeSlot.Add(pair, _targets[from].Count);
            _targets[from].Add(to);
            _kinds[from].Add(kind);
        }

        if (why.Key is not null)
        {
            _why.TryAdd((pair, kind), why);
        }
    }

    /// <summary>The kinds on the edge from → to (<see cref="EdgeKind.None"/> when absent).</summary>
    public EdgeKind KindsOf(int from, int to) =>
        _edgeSlot.TryGetValue(Pair(from, to), out int slot) ? _kinds[from][slot] : EdgeKind.None;

    /// <summary>The evidence recorded for one kind on the edge from → to, if any.</summary>
    public bool TryGetWhy(int from, int to, EdgeKind kind, out EdgeWhy why) => _why.TryGetValue((Pair(from, to), kind), out why);

    /// <summary>Strongly connected components with more than one node, using only edges with a kind in <paramref name="allowed"/> between nodes with <paramref name="member"/> set (all nodes when null).</summary>
    public List<int[]> CyclicComponents(EdgeKind allowed, bool[]? member)
    {
        // Tarjan's algorithm, iterative.
        var result = new List<int[]>();
        var index = new int[NodeCount];
        var low = new int[NodeCount];
        var onStack = new bool[NodeCount];
        Array.Fill(index, -1);
        var stack = new Stack<int>();
        var work = new Stack<(int Node, int Edge)>();
        int counter = 0;
        for (int root = 0; root < NodeCount; root++)
        {
            if (index[root] != -1 || (member is not null && !member[root]))
            {
                continue;
            }

            work.Push((root, 0));
            index[root] = low[root] = counter++;
            stack.Push(root);
            onStack[root] = true;
            while (work.Count > 0)
            {
                (int v, int e) = work.Pop();
                bool descended = false;
                List<int> targets = _targets[v];
                List<EdgeKind> kinds = _kinds[v];
                while (e < targets.Count)
                {
                    int w = targets[e];
                    bool usable = (kinds[e] & allowed) != 0 && (member is null || member[w]);
                    e++;
                    if (!usable)
                    {
                        continue;
                    }

                    if (index[w] == -1)
                    {
                        work.Push((v, e));
                        work.Push((w, 0));
                        index[w] = low[w] = counter++;
                        stack.Push(w);
                        onStack[w] = true;
                        descended = true;
                        break;
                    }

                    if (onStack[w])
                    {
                        low[v] = Math.Min(low[v], index[w]);
                    }
                }

                if (descended)
                {
                    continue;
                }

                if (low[v] == index[v])
                {
                    var component = new List<int>();
                    int w;
                    do
                    {
                        w = stack.Pop();
                        onStack[w] = false;
                        component.Add(w);
                    }
                    while (w != v);
                    if (component.Count > 1)
                    {
                        result.Add([.. component]);
                    }
                }

                if (work.Count > 0)
                {
                    int parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[v]);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// The shortest path from <paramref name="from"/> to <paramref name="to"/> (breadth-first) over edges with a kind
    /// in <paramref name="allowed"/>, inside <paramref name="member"/>. When from == to, the shortest cycle through it.
    /// </summary>
    /// <returns>The nodes of the path, starting with <paramref name="from"/> and ending with <paramref name="to"/> (a cycle repeats the node at both ends); null when none exists.</returns>
    public List<int>? ShortestPath(int from, int to, EdgeKind allowed, bool[] member)
    {
        var parent = new Dictionary<int, int>();
        var queue = new Queue<int>();
        queue.Enqueue(from);
        while (queue.Count > 0)
        {
            int v = queue.Dequeue();
            List<int> targets = _targets[v];
            List<EdgeKind> kinds = _kinds[v];
            for (int e = 0; e < targets.Count; e++)
            {
                int w = targets[e];
                if ((kinds[e] & allowed) == 0 || !member[w])
                {
                    continue;
                }

                if (w == to)
                {
                    var path = new List<int> { to };
                    for (int x = v; x != from; x = parent[x])
                    {
                        path.Add(x);
                    }

                    path.Add(from);
                    path.Reverse();
                    return path;
                }

                if (w != from && parent.TryAdd(w, v))
                {
                    queue.Enqueue(w);
                }
            }
        }

        return null;
    }

    /// <summary>The edges out of <paramref name="node"/> with their kinds.</summary>
    public IEnumerable<(int To, EdgeKind Kinds)> EdgesFrom(int node)
    {
        for (int e = 0; e < _targets[node].Count; e++)
        {
            yield return (_targets[node][e], _kinds[node][e]);
        }
    }

    private static long Pair(int from, int to) => ((long)from << 32) | (uint)to;
}
