namespace AntiEtcd.Api;

/// <summary>Response of <c>/v3/kv/put</c> (SPEC §4.2).</summary>
public sealed class PutResponse
{
    /// <summary>The response header.</summary>
    public ResponseHeader Header { get; set; } = new();

    /// <summary>The key before the put, when requested and the key existed.</summary>
    public KeyValue? PrevKv { get; set; }
}
