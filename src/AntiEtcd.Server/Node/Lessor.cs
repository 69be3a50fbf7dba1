namespace AntiEtcd.Server.Node;

/// <summary>
/// The leader's lease deadlines (SPEC §8.6). The store holds leases, TTLs and attached keys;
/// deadlines are not replicated state, so they live here, owned by the apply loop like the store.
/// </summary>
/// <remarks>Only touched from operations running on the <see cref="ApplyLoop"/>: not thread-safe.</remarks>
internal sealed class Lessor(TimeProvider time)
{
    private readonly Dictionary<long, long> _deadlines = [];

    /// <summary>The current monotonic timestamp.</summary>
    public long Now => time.GetTimestamp();

    /// <summary>Sets a lease's deadline to now + <paramref name="ttlSeconds"/>.</summary>
    public void Renew(long id, long ttlSeconds) =>
        _deadlines[id] = Now + (long)(ttlSeconds * (double)time.TimestampFrequency);

    /// <summary>Forgets a revoked lease.</summary>
    public void Forget(long id) => _deadlines.Remove(id);

    /// <summary>After a volatile reset (SPEC §9.4): exactly these leases, each refreshed to its full TTL, as after a restart.</summary>
    public void ResetTo(IReadOnlyList<(long Id, long Ttl)> leases)
    {
        _deadlines.Clear();
        foreach (var (id, ttl) in leases)
        {
            Renew(id, ttl);
        }
    }

    /// <summary>True when the lease's deadline has passed (a lease without a deadline has none).</summary>
    public bool IsExpired(long id) => _deadlines.TryGetValue(id, out var deadline) && deadline <= Now;

    /// <summary>Whole seconds left, rounded down and at least 0 (SPEC §5.4).</summary>
    public long RemainingSeconds(long id)
    {
        if (!_deadlines.TryGetValue(id, out var deadline))
        {
            return 0;
        }

        var left = deadline - Now;
        return left <= 0 ? 0 : left / time.TimestampFrequency;
    }

    /// <summary>The leases whose deadline has passed, ascending.</summary>
    public List<long> Expired()
    {
        var now = Now;
        var expired = new List<long>();
        foreach (var (id, deadline) in _deadlines)
        {
            if (deadline <= now)
            {
                expired.Add(id);
            }
        }

        expired.Sort();
        return expired;
    }
}
