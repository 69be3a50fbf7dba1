namespace AntiEtcd.Api;

/// <summary>etcd <c>WatchCreateRequest_FilterType</c>.</summary>
public enum FilterType
{
    /// <summary>Filter out put events.</summary>
    NoPut = 0,

    /// <summary>Filter out delete events.</summary>
    NoDelete = 1,
}
