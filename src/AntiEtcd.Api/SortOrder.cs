namespace AntiEtcd.Api;

/// <summary>etcd <c>RangeRequest_SortOrder</c>; the numeric values are the wire values.</summary>
public enum SortOrder
{
    /// <summary>No explicit order (ascending by key when the target is KEY).</summary>
    None = 0,

    /// <summary>Ascending.</summary>
    Ascend = 1,

    /// <summary>Descending.</summary>
    Descend = 2,
}
