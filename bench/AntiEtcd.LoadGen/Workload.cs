namespace AntiEtcd.LoadGen;

/// <summary>What each request of a run does.</summary>
internal enum Workload
{
    /// <summary><c>POST /v3/kv/put</c> of a 100-byte (by default) value to a random key of the key set.</summary>
    Put,

    /// <summary><c>POST /v3/kv/range</c> of one random key of the key set, after the key set was preloaded.</summary>
    Range,

    /// <summary>The put requests, sent to the trivial Kestrel endpoint of <c>bench/AntiEtcd.Ceiling</c>.</summary>
    Ceiling,
}
