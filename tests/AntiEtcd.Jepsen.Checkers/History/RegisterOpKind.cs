namespace AntiEtcd.Jepsen.Checkers.History;

/// <summary>The operations of the single-key register workload.</summary>
public enum RegisterOpKind
{
    /// <summary>A linearizable range of the key; <see cref="RegisterOp.Value"/> is what was read (null: key absent).</summary>
    Read,

    /// <summary>A put of <see cref="RegisterOp.Value"/>.</summary>
    Write,

    /// <summary>A txn: if the value equals <see cref="RegisterOp.Expected"/> then put <see cref="RegisterOp.Value"/>. Ok means it succeeded; a failed compare is <see cref="Outcome.Fail"/>.</summary>
    Cas,
}
