namespace AntiEtcd.Jepsen.Checkers.ListAppend;

/// <summary>One read of a key by an Ok transaction.</summary>
/// <param name="Txn">The reading transaction's index in the history.</param>
/// <param name="Values">The list as read (including the reader's own earlier appends, at the tail).</param>
/// <param name="ExternalLength">How many leading elements come from other transactions: <paramref name="Values"/> minus the reader's own appends at its tail.</param>
internal sealed record KeyRead(int Txn, IReadOnlyList<long> Values, int ExternalLength)
{
    /// <summary>False when this read is not a prefix of the key's version order (already reported): it yields no anti-dependency.</summary>
    public bool Compatible { get; set; } = true;
}
