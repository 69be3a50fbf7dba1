namespace AntiEtcd.Mvcc;

/// <summary>Unsigned byte-wise key order (SPEC §2.1): a proper prefix sorts first.</summary>
internal sealed class ByteKeyComparer : IComparer<ReadOnlyMemory<byte>>
{
    /// <summary>The single instance.</summary>
    public static readonly ByteKeyComparer Instance = new();

    private ByteKeyComparer()
    {
    }

    /// <inheritdoc/>
    public int Compare(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceCompareTo(y.Span);
}
