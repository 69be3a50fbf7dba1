namespace AntiEtcd.Raft;

/// <summary>The Raft identity of a cluster member (SPEC §8.1 <c>member_id</c>).</summary>
/// <remarks>The value 0 means "no node" (<see cref="None"/>), as in etcd-io/raft, so it is never a valid member ID.</remarks>
/// <param name="Value">The 64-bit member ID.</param>
public readonly record struct NodeId(ulong Value)
{
    /// <summary>No node: an unset vote or an unknown leader.</summary>
    public static NodeId None => default;

    /// <summary>Whether this is <see cref="None"/>.</summary>
    public bool IsNone => Value == 0;

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
