namespace AntiEtcd.Api;

/// <summary>Request of <c>/v3/kv/compaction</c> (SPEC §4.5).</summary>
public sealed class CompactionRequest
{
    /// <summary>Revision to compact to; history before it is dropped.</summary>
    public long Revision { get; set; }

    /// <summary>Accepted and ignored: compaction always takes effect before the reply.</summary>
    public bool Physical { get; set; }
}
