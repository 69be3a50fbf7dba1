namespace AntiEtcd.Server;

/// <summary>
/// What a <see cref="PersistFilter"/> decides for one put (SPEC §9.4, §13.4): store it as is,
/// store another value in its place, or keep it out of storage (volatile).
/// </summary>
/// <remarks>
/// The decision affects only what this node writes to its disk; in memory every write is complete.
/// </remarks>
public readonly struct PersistDecision : IEquatable<PersistDecision>
{
    private readonly ReadOnlyMemory<byte> _storedValue;

    private PersistDecision(PersistDecisionKind kind, ReadOnlyMemory<byte> storedValue)
    {
        Kind = kind;
        _storedValue = storedValue;
    }

    /// <summary>Store the write as it is.</summary>
    public static PersistDecision Persist => default;

    /// <summary>Keep the value out of storage: the write is stored as a deletion of the key at the same revision.</summary>
    public static PersistDecision Volatile => new(PersistDecisionKind.Volatile, default);

    /// <summary>What this decision is.</summary>
    public PersistDecisionKind Kind { get; }

    /// <summary>The value stored instead, for <see cref="PersistDecisionKind.Replace"/>; empty otherwise.</summary>
    public ReadOnlyMemory<byte> StoredValue => _storedValue;

    /// <summary>Store the write with <paramref name="storedValue"/> instead of its value.</summary>
    /// <param name="storedValue">The value to store; the caller must not change it afterwards.</param>
    public static PersistDecision Replace(ReadOnlyMemory<byte> storedValue) => new(PersistDecisionKind.Replace, storedValue);

    /// <summary>Equal kinds, and equal stored bytes for replacements.</summary>
    public static bool operator ==(PersistDecision left, PersistDecision right) => left.Equals(right);

    /// <summary>Not <see cref="op_Equality"/>.</summary>
    public static bool operator !=(PersistDecision left, PersistDecision right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(PersistDecision other) => Kind == other.Kind && _storedValue.Span.SequenceEqual(other._storedValue.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PersistDecision other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, _storedValue.Length);

    /// <inheritdoc/>
    public override string ToString() => Kind == PersistDecisionKind.Replace ? $"Replace({_storedValue.Length} bytes)" : Kind.ToString();
}
