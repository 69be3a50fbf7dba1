namespace AntiEtcd.Api;

/// <summary>A key with its value and metadata (etcd <c>mvccpb.KeyValue</c>).</summary>
/// <remarks>
/// Instances returned by the store may be shared between responses and watch events: treat them
/// as immutable. The byte memory is never reused by the store after it has been handed out.
/// </remarks>
public sealed class KeyValue
{
    /// <summary>The key bytes; never empty for a stored key.</summary>
    public ReadOnlyMemory<byte> Key { get; init; }

    /// <summary>Revision at which the key was created (after its last deletion).</summary>
    public long CreateRevision { get; init; }

    /// <summary>Revision of the key's last modification.</summary>
    public long ModRevision { get; init; }

    /// <summary>Number of puts since creation: 1 on create; 0 for a deleted key in an event.</summary>
    public long Version { get; init; }

    /// <summary>The value bytes; may be empty.</summary>
    public ReadOnlyMemory<byte> Value { get; init; }

    /// <summary>The attached lease ID, 0 if none.</summary>
    public long Lease { get; init; }
}
