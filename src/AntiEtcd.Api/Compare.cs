namespace AntiEtcd.Api;

/// <summary>One compare of a txn (SPEC §4.4).</summary>
/// <remarks>The reference value is read from the property that matches <see cref="Target"/>; the others are ignored.</remarks>
public sealed class Compare
{
    /// <summary>The comparison.</summary>
    public CompareResult Result { get; set; }

    /// <summary>What is compared.</summary>
    public CompareTarget Target { get; set; }

    /// <summary>The key (or first key of the range); must not be empty.</summary>
    public ReadOnlyMemory<byte> Key { get; set; }

    /// <summary>Reference value for <see cref="CompareTarget.Version"/>.</summary>
    public long Version { get; set; }

    /// <summary>Reference value for <see cref="CompareTarget.Create"/>.</summary>
    public long CreateRevision { get; set; }

    /// <summary>Reference value for <see cref="CompareTarget.Mod"/>.</summary>
    public long ModRevision { get; set; }

    /// <summary>Reference value for <see cref="CompareTarget.Value"/>.</summary>
    public ReadOnlyMemory<byte> Value { get; set; }

    /// <summary>Reference value for <see cref="CompareTarget.Lease"/>.</summary>
    public long Lease { get; set; }

    /// <summary>End of the compared range (SPEC §2.3).</summary>
    public ReadOnlyMemory<byte> RangeEnd { get; set; }
}
