namespace AntiEtcd.Api;

/// <summary>etcd <c>RangeRequest_SortTarget</c>; the numeric values are the wire values.</summary>
public enum SortTarget
{
    /// <summary>Sort by key bytes.</summary>
    Key = 0,

    /// <summary>Sort by version.</summary>
    Version = 1,

    /// <summary>Sort by create revision.</summary>
    Create = 2,

    /// <summary>Sort by mod revision.</summary>
    Mod = 3,

    /// <summary>Sort by value bytes.</summary>
    Value = 4,
}
