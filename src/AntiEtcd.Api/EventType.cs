namespace AntiEtcd.Api;

/// <summary>etcd <c>mvccpb.Event_EventType</c>.</summary>
public enum EventType
{
    /// <summary>A put.</summary>
    Put = 0,

    /// <summary>A delete.</summary>
    Delete = 1,
}
