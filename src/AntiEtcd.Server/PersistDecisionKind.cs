namespace AntiEtcd.Server;

/// <summary>The three results of a persist filter (SPEC §9.4).</summary>
public enum PersistDecisionKind
{
    /// <summary>The write is stored as is.</summary>
    Persist = 0,

    /// <summary>The write is stored with another value.</summary>
    Replace = 1,

    /// <summary>The write is stored as a deletion of the key at the same revision.</summary>
    Volatile = 2,
}
