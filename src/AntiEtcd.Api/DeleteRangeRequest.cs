namespace AntiEtcd.Api;

/// <summary>Request of <c>/v3/kv/deleterange</c> (SPEC §4.3).</summary>
public sealed class DeleteRangeRequest
{
    /// <summary>First key of the range; must not be empty.</summary>
    public ReadOnlyMemory<byte> Key { get; set; }

    /// <summary>End of the range (SPEC §2.3).</summary>
    public ReadOnlyMemory<byte> RangeEnd { get; set; }

    /// <summary>Return the deleted kvs.</summary>
    public bool PrevKv { get; set; }
}
