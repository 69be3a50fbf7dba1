namespace AntiEtcd.Server.Node;

/// <summary>Equality of keys by their bytes, for hash sets of keys.</summary>
internal sealed class KeyBytesComparer : IEqualityComparer<ReadOnlyMemory<byte>>
{
    /// <summary>The single instance.</summary>
    public static readonly KeyBytesComparer Instance = new();

    private KeyBytesComparer()
    {
    }

    /// <inheritdoc/>
    public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

    /// <inheritdoc/>
    public int GetHashCode(ReadOnlyMemory<byte> obj)
    {
        var hash = default(HashCode);
        hash.AddBytes(obj.Span);
        return hash.ToHashCode();
    }
}
