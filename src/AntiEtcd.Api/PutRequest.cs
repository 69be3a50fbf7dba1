namespace AntiEtcd.Api;

/// <summary>Request of <c>/v3/kv/put</c> (SPEC §4.2).</summary>
public sealed class PutRequest
{
    /// <summary>The key; must not be empty.</summary>
    public ReadOnlyMemory<byte> Key { get; set; }

    /// <summary>The value; may be empty.</summary>
    public ReadOnlyMemory<byte> Value { get; set; }

    /// <summary>Lease to attach; 0 detaches the key from any lease.</summary>
    public long Lease { get; set; }

    /// <summary>Return the previous key-value.</summary>
    public bool PrevKv { get; set; }

    /// <summary>Keep the current value (the key must exist).</summary>
    public bool IgnoreValue { get; set; }

    /// <summary>Keep the current lease (the key must exist).</summary>
    public bool IgnoreLease { get; set; }
}
