namespace AntiEtcd.Jepsen.Checkers.Linearizability;

/// <summary>The search's verdict for one key.</summary>
internal enum RegisterVerdict
{
    /// <summary>A linearization was found.</summary>
    Linearizable,

    /// <summary>The whole search space was explored without finding one: a proven violation.</summary>
    NotLinearizable,

    /// <summary>The state budget ran out first: neither proven nor refuted.</summary>
    BudgetExhausted,
}
