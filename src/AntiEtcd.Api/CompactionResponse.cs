namespace AntiEtcd.Api;

/// <summary>Response of <c>/v3/kv/compaction</c>.</summary>
public sealed class CompactionResponse
{
    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; set; } = new();
}
