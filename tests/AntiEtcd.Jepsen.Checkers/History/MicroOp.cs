namespace AntiEtcd.Jepsen.Checkers.History;

/// <summary>One step of a list-append transaction (Jepsen's Elle "list-append" model).</summary>
/// <param name="Kind">Read or append.</param>
/// <param name="Key">The list's key.</param>
/// <param name="Element">Append: the element (unique across the whole history per key). Read: unused (0).</param>
/// <param name="ReadResult">Read, when the txn is <see cref="Outcome.Ok"/>: the list as read (empty when the key was absent); otherwise null.</param>
public sealed record MicroOp(MicroOpKind Kind, string Key, long Element, IReadOnlyList<long>? ReadResult);
