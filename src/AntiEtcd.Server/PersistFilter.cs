namespace AntiEtcd.Server;

/// <summary>
/// Decides, for every put this node applies, what it writes to its disk (SPEC §9.4). Given as
/// <see cref="AntiEtcdOptions.PersistFilter"/>, or created by an <see cref="IPersistFilterFactory"/>
/// named by <c>--persist_filter</c>.
/// </summary>
/// <remarks>
/// Must be deterministic (the same key and value always give the same decision), fast and
/// thread-safe. If it throws, the write is stored as is and a warning is logged.
/// </remarks>
/// <param name="key">The key.</param>
/// <param name="value">The value written.</param>
/// <returns>The decision.</returns>
public delegate PersistDecision PersistFilter(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);
