namespace AntiEtcd.Jepsen.Checkers.ListAppend;

/// <summary>Everything the list-append checker knows about one key.</summary>
internal sealed class KeyHistory(string key)
{
    /// <summary>The key.</summary>
    public string Key { get; } = key;

    /// <summary>Element → the transaction that appended it (elements are unique per key).</summary>
    public Dictionary<long, int> Writer { get; } = [];

    /// <summary>Transaction → the last element it appended to this key (for intermediate reads).</summary>
    public Dictionary<int, long> LastAppendOf { get; } = [];

    /// <summary>Every read of this key by an Ok transaction.</summary>
    public List<KeyRead> Reads { get; } = [];

    /// <summary>Elements that appear in at least one read.</summary>
    public HashSet<long> Observed { get; } = [];

    /// <summary>The inferred version order: the longest read (every other read must be a prefix of it).</summary>
    public IReadOnlyList<long> Order { get; set; } = [];
}
