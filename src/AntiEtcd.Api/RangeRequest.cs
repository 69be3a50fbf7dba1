namespace AntiEtcd.Api;

/// <summary>Request of <c>/v3/kv/range</c> (SPEC §4.1).</summary>
public sealed class RangeRequest
{
    /// <summary>First key of the range; must not be empty.</summary>
    public ReadOnlyMemory<byte> Key { get; set; }

    /// <summary>End of the range (exclusive); empty for a single key, <c>"\0"</c> for every key ≥ <see cref="Key"/> (SPEC §2.3).</summary>
    public ReadOnlyMemory<byte> RangeEnd { get; set; }

    /// <summary>Maximum number of kvs returned; ≤ 0 means no limit.</summary>
    public long Limit { get; set; }

    /// <summary>Revision to read at; ≤ 0 means the current revision.</summary>
    public long Revision { get; set; }

    /// <summary>Sort order.</summary>
    public SortOrder SortOrder { get; set; }

    /// <summary>Sort target.</summary>
    public SortTarget SortTarget { get; set; }

    /// <summary>Serve from local state without a read index (SPEC §8.5).</summary>
    public bool Serializable { get; set; }

    /// <summary>Leave values out.</summary>
    public bool KeysOnly { get; set; }

    /// <summary>Return only the count.</summary>
    public bool CountOnly { get; set; }

    /// <summary>Lower bound on mod_revision (0 = none).</summary>
    public long MinModRevision { get; set; }

    /// <summary>Upper bound on mod_revision (0 = none).</summary>
    public long MaxModRevision { get; set; }

    /// <summary>Lower bound on create_revision (0 = none).</summary>
    public long MinCreateRevision { get; set; }

    /// <summary>Upper bound on create_revision (0 = none).</summary>
    public long MaxCreateRevision { get; set; }
}
