namespace AntiEtcd.Api;

/// <summary>One change of one key (etcd <c>mvccpb.Event</c>).</summary>
/// <remarks>
/// For a delete, <see cref="Kv"/> has only the key and the delete's revision as mod_revision
/// (etcd's tombstone form). Instances are shared between watchers: treat them as immutable.
/// </remarks>
public sealed class Event
{
    /// <summary>Put or delete.</summary>
    public EventType Type { get; init; }

    /// <summary>The key after the change (the tombstone for a delete).</summary>
    public KeyValue Kv { get; init; } = new();

    /// <summary>The key before the change, when it existed (sent only to watches with prev_kv).</summary>
    public KeyValue? PrevKv { get; init; }
}
