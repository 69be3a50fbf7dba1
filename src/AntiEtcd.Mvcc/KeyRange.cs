namespace AntiEtcd.Mvcc;

/// <summary>The set of keys named by a <c>key</c> and <c>range_end</c> pair (SPEC §2.3).</summary>
internal readonly struct KeyRange
{
    private readonly ReadOnlyMemory<byte> _end;
    private readonly Kind _kind;

    private KeyRange(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, Kind kind)
    {
        Start = start;
        _end = end;
        _kind = kind;
    }

    private enum Kind : byte
    {
        Single,
        FromKey,
        Bounded,
    }

    /// <summary>The first key of the range.</summary>
    public ReadOnlyMemory<byte> Start { get; }

    /// <summary>True when the range names exactly <see cref="Start"/>.</summary>
    public bool IsSingle => _kind == Kind.Single;

    /// <summary>True when no key can be in the range (<c>range_end</c> ≤ <c>key</c>, not an error).</summary>
    public bool IsEmpty => _kind == Kind.Bounded && _end.Span.SequenceCompareTo(Start.Span) <= 0;

    /// <summary>Builds the range: empty <paramref name="rangeEnd"/> is one key, <c>"\0"</c> every key ≥ <paramref name="key"/>.</summary>
    public static KeyRange Create(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> rangeEnd)
    {
        if (rangeEnd.IsEmpty)
        {
            return new KeyRange(key, default, Kind.Single);
        }

        return rangeEnd.Length == 1 && rangeEnd.Span[0] == 0
            ? new KeyRange(key, default, Kind.FromKey)
            : new KeyRange(key, rangeEnd, Kind.Bounded);
    }

    /// <summary>True when <paramref name="key"/> is in the range.</summary>
    public bool Contains(ReadOnlySpan<byte> key) => _kind switch
    {
        Kind.Single => key.SequenceEqual(Start.Span),
        Kind.FromKey => key.SequenceCompareTo(Start.Span) >= 0,
        _ => key.SequenceCompareTo(Start.Span) >= 0 && key.SequenceCompareTo(_end.Span) < 0,
    };

    /// <summary>
    /// For a scan that started at <see cref="Start"/>: true when <paramref name="key"/> (≥ Start)
    /// is past the end, so the scan can stop.
    /// </summary>
    public bool IsPastEnd(ReadOnlySpan<byte> key) => _kind switch
    {
        Kind.Single => !key.SequenceEqual(Start.Span),
        Kind.FromKey => false,
        _ => key.SequenceCompareTo(_end.Span) >= 0,
    };
}
