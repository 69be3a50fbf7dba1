namespace AntiEtcd.Server.Cluster;

/// <summary>What a follower forwards to the leader (SPEC §8.5). The values go on the wire: frozen.</summary>
internal enum ForwardKind : byte
{
    /// <summary>A write: the encoded log command.</summary>
    Command = 1,

    /// <summary>A lease keepalive, answered from the leader's deadlines.</summary>
    KeepAlive = 2,

    /// <summary>A lease time-to-live, answered from the leader's deadlines.</summary>
    TimeToLive = 3,
}
