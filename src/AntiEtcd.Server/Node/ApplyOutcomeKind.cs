namespace AntiEtcd.Server.Node;

/// <summary>What became of a proposal's log index.</summary>
internal enum ApplyOutcomeKind
{
    /// <summary>The proposal's entry was applied; the result is attached.</summary>
    Applied,

    /// <summary>Another entry (of another term) was applied at that index: the proposal was lost with its leader.</summary>
    Lost,

    /// <summary>The index was covered by an installed snapshot: whether the proposal is in it is not known here.</summary>
    Unknown,

    /// <summary>The node could not propose it (not the leader, a leadership transfer, or its loop stopped): nothing was written.</summary>
    NotProposed,
}
