using System.Diagnostics;

namespace AntiEtcd.Mvcc;

/// <summary>
/// An in-memory B+tree that maps byte keys (unsigned byte-wise order) to values, with O(log n)
/// seek and ordered scans through linked leaves.
/// </summary>
/// <remarks>
/// Why our own tree: <see cref="SortedDictionary{TKey, TValue}"/> has no lower-bound seek, and a
/// red-black tree costs a node object per key, which the issue-4 memory target (RSS ≤ 2.5× raw
/// data at 1,000,000 keys) cannot afford. Here a key costs one slot in two arrays.
/// Leaves that receive appends at their end split unevenly (the new key alone goes right), so
/// ascending inserts fill leaves completely instead of half. Underfull nodes are merged with a
/// sibling when both fit in one node.
/// Not thread-safe: one owner. The tree keeps the key memory it is given (branch separators are
/// copies); callers must not mutate it afterwards. A <see cref="Cursor"/> is invalidated by any
/// insert or removal (setting a value or an equal key's memory through it is fine).
/// </remarks>
internal sealed class KeyIndex<TValue>
{
    /// <summary>Entries per node; 64 keeps a node's key array within a few cache lines of headers.</summary>
    internal const int MaxEntries = 64;
    private const int MergeThreshold = MaxEntries / 4;

    private Node _root = new Leaf();

    /// <summary>Number of keys stored.</summary>
    public int Count { get; private set; }

    /// <summary>Positions a cursor at the first key ≥ <paramref name="key"/> (invalid when none).</summary>
    public Cursor Seek(ReadOnlySpan<byte> key)
    {
        var node = _root;
        while (node is Branch branch)
        {
            node = branch.Children[branch.ChildIndex(key)];
        }

        var leaf = (Leaf)node;
        var index = leaf.LowerBound(key);
        var cursor = new Cursor(leaf, index);
        cursor.Normalize();
        return cursor;
    }

    /// <summary>Positions a cursor at the first key (invalid when the tree is empty).</summary>
    public Cursor First() => Seek([]);

    /// <summary>Finds the value stored under <paramref name="key"/>.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> key, out TValue value)
    {
        var cursor = Seek(key);
        if (cursor.IsAt(key))
        {
            value = cursor.Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Inserts a new key; returns false (and changes nothing) when the key exists.</summary>
    public bool TryAdd(ReadOnlyMemory<byte> key, TValue value)
    {
        var split = Insert(_root, key, value, out var added);
        if (split.Node is not null)
        {
            var root = new Branch();
            root.Children[0] = _root;
            root.Children[1] = split.Node;
            root.Keys[1] = split.Separator;
            root.Count = 2;
            _root = root;
        }

        if (added)
        {
            Count++;
        }

        return added;
    }

    /// <summary>Removes a key; returns false when it was not present.</summary>
    public bool Remove(ReadOnlySpan<byte> key)
    {
        if (!Remove(_root, key))
        {
            return false;
        }

        Count--;
        while (_root is Branch { Count: 1 } single)
        {
            _root = single.Children[0];
        }

        if (_root is Branch { Count: 0 })
        {
            _root = new Leaf();
        }

        return true;
    }

    private static (Node? Node, ReadOnlyMemory<byte> Separator) Insert(Node node, ReadOnlyMemory<byte> key, TValue value, out bool added)
    {
        if (node is Leaf leaf)
        {
            var index = leaf.LowerBound(key.Span);
            if (index < leaf.Count && leaf.Keys[index].Span.SequenceEqual(key.Span))
            {
                added = false;
                return default;
            }

            added = true;
            if (leaf.Count < MaxEntries)
            {
                leaf.InsertAt(index, key, value);
                return default;
            }

            var right = new Leaf();
            if (index == leaf.Count)
            {
                // Append pattern: keep the full leaf full.
                right.InsertAt(0, key, value);
            }
            else
            {
                const int half = MaxEntries / 2;
                Array.Copy(leaf.Keys, half, right.Keys, 0, MaxEntries - half);
                Array.Copy(leaf.Values, half, right.Values, 0, MaxEntries - half);
                Array.Clear(leaf.Keys, half, MaxEntries - half);
                Array.Clear(leaf.Values, half, MaxEntries - half);
                right.Count = MaxEntries - half;
                leaf.Count = half;
                if (index <= half)
                {
                    leaf.InsertAt(index, key, value);
                }
                else
                {
                    right.InsertAt(index - half, key, value);
                }
            }

            right.Next = leaf.Next;
            right.Prev = leaf;
            if (leaf.Next is not null)
            {
                leaf.Next.Prev = right;
            }

            leaf.Next = right;

            // The separator gets its own exact copy: a leaf key may be a slice of a larger array
            // (a packed record, LiveRecord) that the branch would otherwise keep alive after the
            // key's record is replaced or removed.
            return (right, right.Keys[0].ToArray());
        }

        var branch = (Branch)node;
        var childIndex = branch.ChildIndex(key.Span);
        var split = Insert(branch.Children[childIndex], key, value, out added);
        if (split.Node is null)
        {
            return default;
        }

        var position = childIndex + 1;
        if (branch.Count < MaxEntries)
        {
            branch.InsertAt(position, split.Separator, split.Node);
            return default;
        }

        var rightBranch = new Branch();
        ReadOnlyMemory<byte> separator;
        if (position == branch.Count)
        {
            rightBranch.InsertAt(0, split.Separator, split.Node);
            separator = split.Separator;
        }
        else
        {
            const int half = MaxEntries / 2;
            Array.Copy(branch.Keys, half, rightBranch.Keys, 0, MaxEntries - half);
            Array.Copy(branch.Children, half, rightBranch.Children, 0, MaxEntries - half);
            Array.Clear(branch.Keys, half, MaxEntries - half);
            Array.Clear(branch.Children, half, MaxEntries - half);
            rightBranch.Count = MaxEntries - half;
            branch.Count = half;
            separator = rightBranch.Keys[0];
            if (position <= half)
            {
                branch.InsertAt(position, split.Separator, split.Node);
            }
            else
            {
                rightBranch.InsertAt(position - half, split.Separator, split.Node);
            }
        }

        return (rightBranch, separator);
    }

    private static bool Remove(Node node, ReadOnlySpan<byte> key)
    {
        if (node is Leaf leaf)
        {
            var index = leaf.LowerBound(key);
            if (index >= leaf.Count || !leaf.Keys[index].Span.SequenceEqual(key))
            {
                return false;
            }

            leaf.RemoveAt(index);
            return true;
        }

        var branch = (Branch)node;
        var childIndex = branch.ChildIndex(key);
        var child = branch.Children[childIndex];
        if (!Remove(child, key))
        {
            return false;
        }

        if (child.Count == 0)
        {
            if (child is Leaf emptyLeaf)
            {
                emptyLeaf.Unlink();
            }

            branch.RemoveAt(childIndex);
        }
        else if (child.Count < MergeThreshold)
        {
            TryMerge(branch, childIndex);
        }

        return true;
    }

    private static void TryMerge(Branch parent, int childIndex)
    {
        // Merge the underfull child with a neighbour when both fit in one node; the right one of
        // the pair is absorbed into the left one.
        int left;
        if (childIndex + 1 < parent.Count && parent.Children[childIndex].Count + parent.Children[childIndex + 1].Count <= MaxEntries)
        {
            left = childIndex;
        }
        else if (childIndex > 0 && parent.Children[childIndex - 1].Count + parent.Children[childIndex].Count <= MaxEntries)
        {
            left = childIndex - 1;
        }
        else
        {
            return;
        }

        var leftNode = parent.Children[left];
        var rightNode = parent.Children[left + 1];
        if (leftNode is Leaf leftLeaf)
        {
            var rightLeaf = (Leaf)rightNode;
            Array.Copy(rightLeaf.Keys, 0, leftLeaf.Keys, leftLeaf.Count, rightLeaf.Count);
            Array.Copy(rightLeaf.Values, 0, leftLeaf.Values, leftLeaf.Count, rightLeaf.Count);
            leftLeaf.Count += rightLeaf.Count;
            rightLeaf.Unlink();
        }
        else
        {
            var leftBranch = (Branch)leftNode;
            var rightBranch = (Branch)rightNode;
            Array.Copy(rightBranch.Keys, 0, leftBranch.Keys, leftBranch.Count, rightBranch.Count);
            Array.Copy(rightBranch.Children, 0, leftBranch.Children, leftBranch.Count, rightBranch.Count);

            // The right branch's first child is bounded below by the parent's separator.
            leftBranch.Keys[leftBranch.Count] = parent.Keys[left + 1];
            leftBranch.Count += rightBranch.Count;
        }

        parent.RemoveAt(left + 1);
    }

    /// <summary>Checks the tree's structural invariants; throws <see cref="InvalidOperationException"/> on a violation.</summary>
    internal void CheckInvariants()
    {
        var count = 0;
        Leaf? previousLeaf = null;
        ReadOnlyMemory<byte>? previousKey = null;
        CheckNode(_root, null, null, isRoot: true, ref count, ref previousLeaf, ref previousKey);
        if (previousLeaf?.Next is not null)
        {
            throw new InvalidOperationException("last leaf has a successor");
        }

        if (count != Count)
        {
            throw new InvalidOperationException($"count {Count} but {count} keys in leaves");
        }
    }

    private static void CheckNode(Node node, ReadOnlyMemory<byte>? lower, ReadOnlyMemory<byte>? upper, bool isRoot, ref int count, ref Leaf? previousLeaf, ref ReadOnlyMemory<byte>? previousKey)
    {
        if (!isRoot && node.Count == 0)
        {
            throw new InvalidOperationException("empty non-root node");
        }

        if (node is Leaf leaf)
        {
            if (leaf.Prev != previousLeaf || (previousLeaf is not null && previousLeaf.Next != leaf))
            {
                throw new InvalidOperationException("broken leaf links");
            }

            for (var i = 0; i < leaf.Count; i++)
            {
                var key = leaf.Keys[i];
                if (previousKey is { } p && p.Span.SequenceCompareTo(key.Span) >= 0)
                {
                    throw new InvalidOperationException("keys out of order");
                }

                if ((lower is { } lo && key.Span.SequenceCompareTo(lo.Span) < 0) || (upper is { } up && key.Span.SequenceCompareTo(up.Span) >= 0))
                {
                    throw new InvalidOperationException("key outside its separators");
                }

                previousKey = key;
                count++;
            }

            previousLeaf = leaf;
            return;
        }

        var branch = (Branch)node;
        for (var i = 0; i < branch.Count; i++)
        {
            var childLower = i == 0 ? lower : branch.Keys[i];
            var childUpper = i + 1 < branch.Count ? branch.Keys[i + 1] : upper;
            CheckNode(branch.Children[i], childLower, childUpper, isRoot: false, ref count, ref previousLeaf, ref previousKey);
        }
    }

    /// <summary>A position in the tree's leaf chain.</summary>
    internal struct Cursor
    {
        private Leaf? _leaf;
        private int _index;

        internal Cursor(Leaf leaf, int index)
        {
            _leaf = leaf;
            _index = index;
        }

        /// <summary>True while the cursor is at an entry.</summary>
        public readonly bool IsValid => _leaf is not null;

        /// <summary>The key at the cursor.</summary>
        public readonly ReadOnlyMemory<byte> Key => _leaf!.Keys[_index];

        /// <summary>The value at the cursor.</summary>
        public readonly TValue Value => _leaf!.Values[_index];

        /// <summary>True when the cursor is at exactly <paramref name="key"/>.</summary>
        public readonly bool IsAt(ReadOnlySpan<byte> key) => _leaf is not null && _leaf.Keys[_index].Span.SequenceEqual(key);

        /// <summary>Replaces the value at the cursor (no structural change, so the cursor stays valid).</summary>
        public readonly void SetValue(TValue value) => _leaf!.Values[_index] = value;

        /// <summary>
        /// Replaces the key memory and the value at the cursor; <paramref name="key"/> must hold the
        /// same bytes as the current key (only its memory changes, so the order is kept).
        /// </summary>
        public readonly void SetEntry(ReadOnlyMemory<byte> key, TValue value)
        {
            Debug.Assert(key.Span.SequenceEqual(_leaf!.Keys[_index].Span), "SetEntry keeps the key's bytes");
            _leaf!.Keys[_index] = key;
            _leaf.Values[_index] = value;
        }

        /// <summary>Moves to the next entry in key order.</summary>
        public void MoveNext()
        {
            _index++;
            Normalize();
        }

        internal void Normalize()
        {
            while (_leaf is not null && _index >= _leaf.Count)
            {
                _leaf = _leaf.Next;
                _index = 0;
            }
        }
    }

    internal abstract class Node
    {
        public int Count;
    }

    internal sealed class Leaf : Node
    {
        public readonly ReadOnlyMemory<byte>[] Keys = new ReadOnlyMemory<byte>[MaxEntries];
        public readonly TValue[] Values = new TValue[MaxEntries];
        public Leaf? Next;
        public Leaf? Prev;

        public int LowerBound(ReadOnlySpan<byte> key)
        {
            int lo = 0, hi = Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (Keys[mid].Span.SequenceCompareTo(key) < 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }

        public void InsertAt(int index, ReadOnlyMemory<byte> key, TValue value)
        {
            if (index < Count)
            {
                Array.Copy(Keys, index, Keys, index + 1, Count - index);
                Array.Copy(Values, index, Values, index + 1, Count - index);
            }

            Keys[index] = key;
            Values[index] = value;
            Count++;
        }

        public void RemoveAt(int index)
        {
            Count--;
            if (index < Count)
            {
                Array.Copy(Keys, index + 1, Keys, index, Count - index);
                Array.Copy(Values, index + 1, Values, index, Count - index);
            }

            Keys[Count] = default;
            Values[Count] = default!;
        }

        public void Unlink()
        {
            if (Prev is not null)
            {
                Prev.Next = Next;
            }

            if (Next is not null)
            {
                Next.Prev = Prev;
            }

            Prev = null;
            Next = null;
        }
    }

    internal sealed class Branch : Node
    {
        /// <summary>Keys[i] (i ≥ 1) is the lower bound of Children[i]; Keys[0] is not used for search.</summary>
        public readonly ReadOnlyMemory<byte>[] Keys = new ReadOnlyMemory<byte>[MaxEntries];
        public readonly Node[] Children = new Node[MaxEntries];

        /// <summary>The last child whose lower bound is ≤ <paramref name="key"/>.</summary>
        public int ChildIndex(ReadOnlySpan<byte> key)
        {
            int lo = 1, hi = Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (Keys[mid].Span.SequenceCompareTo(key) <= 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo - 1;
        }

        public void InsertAt(int index, ReadOnlyMemory<byte> key, Node child)
        {
            if (index < Count)
            {
                Array.Copy(Keys, index, Keys, index + 1, Count - index);
                Array.Copy(Children, index, Children, index + 1, Count - index);
            }

            Keys[index] = key;
            Children[index] = child;
            Count++;
        }

        public void RemoveAt(int index)
        {
            Count--;
            if (index < Count)
            {
                Array.Copy(Keys, index + 1, Keys, index, Count - index);
                Array.Copy(Children, index + 1, Children, index, Count - index);
            }

            Keys[Count] = default;
            Children[Count] = null!;
        }
    }
}
