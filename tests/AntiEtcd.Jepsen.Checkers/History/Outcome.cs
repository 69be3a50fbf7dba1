namespace AntiEtcd.Jepsen.Checkers.History;

/// <summary>How an operation ended, as the client saw it (Jepsen's ok / fail / info).</summary>
public enum Outcome
{
    /// <summary>The server answered with success: the operation took effect exactly once.</summary>
    Ok,

    /// <summary>The server said it certainly did not happen (any 4xx, or a 503 whose message says "not executed").</summary>
    Fail,

    /// <summary>No answer, a broken connection, or a 503 "outcome unknown": it may or may not have taken effect, at any time after its invocation.</summary>
    Unknown,
}
