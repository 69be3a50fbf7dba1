namespace AntiEtcd.Raft;

/// <summary>The state of an election tally.</summary>
internal enum VoteResult
{
    /// <summary>Neither a majority of grants nor of rejections yet.</summary>
    Pending = 0,

    /// <summary>A majority granted.</summary>
    Won = 1,

    /// <summary>A majority can no longer be reached.</summary>
    Lost = 2,
}
