namespace AntiEtcd.Jepsen.Checkers.ListAppend;

/// <summary>Why one transaction must precede another (Adya's dependency edges plus real time).</summary>
[Flags]
internal enum EdgeKind
{
    /// <summary>No edge.</summary>
    None = 0,

    /// <summary>Write-write: the source's append comes right before the target's in a key's version order.</summary>
    WW = 1,

    /// <summary>Write-read: the target read the source's append as the last element of a list.</summary>
    WR = 2,

    /// <summary>Read-write (anti-dependency): the source read a version that the target's append overwrote next.</summary>
    RW = 4,

    /// <summary>Real time: the source completed before the target was invoked (strict serializability).</summary>
    RT = 8,

    /// <summary>Every dependency edge (what serializability orders).</summary>
    Dependencies = WW | WR | RW,

    /// <summary>Every edge (what strict serializability orders).</summary>
    All = WW | WR | RW | RT,
}
