namespace AntiEtcd.Jepsen.Checkers.ListAppend;

/// <summary>The evidence for one dependency edge: on <paramref name="Key"/>, elements <paramref name="From"/> and <paramref name="To"/> (meaning depends on the edge kind).</summary>
/// <param name="Key">The list's key.</param>
/// <param name="From">ww: the earlier element; wr: the element read; rw: the last element read (or <see cref="long.MinValue"/> for an empty read).</param>
/// <param name="To">ww: the later element; wr: unused; rw: the element appended next.</param>
internal readonly record struct EdgeWhy(string Key, long From, long To);
