namespace AntiEtcd.Jepsen;

/// <summary>What a <see cref="FaultProxy"/> does with its link.</summary>
public enum ProxyMode
{
    /// <summary>Forward bytes both ways (with <see cref="FaultProxy.Delay"/> per chunk, if set).</summary>
    Pass,

    /// <summary>Reset every open connection of the link and reset new ones as soon as they are accepted.</summary>
    Drop,
}
