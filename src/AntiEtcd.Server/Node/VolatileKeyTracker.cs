using AntiEtcd.Api;

namespace AntiEtcd.Server.Node;

/// <summary>
/// While a node recovers a persisted form (SPEC §9.4), the live keys whose value the persist
/// filter kept out of storage: their value in the recovered store is empty and must not be served.
/// The volatile reset drops them.
/// </summary>
/// <remarks>
/// Fed with the volatile keys of the snapshot, then with every replayed command and its events.
/// Used on one thread (the start), not thread-safe.
/// </remarks>
internal sealed class VolatileKeyTracker
{
    private readonly HashSet<ReadOnlyMemory<byte>> _keys = new(KeyBytesComparer.Instance);

    /// <summary>How many live keys are volatile.</summary>
    public int Count => _keys.Count;

    /// <summary>Whether the live version of <paramref name="key"/> is volatile.</summary>
    public bool Contains(ReadOnlyMemory<byte> key) => _keys.Contains(key);

    /// <summary>Adds the volatile keys a filtered snapshot lists.</summary>
    public void AddRange(IEnumerable<ReadOnlyMemory<byte>> keys) => _keys.UnionWith(keys);

    /// <summary>
    /// Follows one replayed command: every key it changed is volatile afterwards exactly when the
    /// put that changed it was volatile (or kept a volatile value with <c>ignore_value</c>).
    /// </summary>
    /// <param name="command">The decoded persisted command.</param>
    /// <param name="response">Its response from the store (null when refused).</param>
    /// <param name="events">The store's events for it.</param>
    public void Replayed(Command command, object? response, IReadOnlyList<Event> events)
    {
        if (command.Type == CommandType.VolatileReset)
        {
            // The reset carried no volatile key: what follows it in the log is complete again.
            _keys.Clear();
            return;
        }

        if (events.Count == 0)
        {
            return;
        }

        HashSet<ReadOnlyMemory<byte>>? volatileNow = null;
        switch (command.Type)
        {
            case CommandType.Put:
                Executed(command.Put!, command.VolatilePuts, ref volatileNow);
                break;
            case CommandType.Txn when response is TxnResponse txnResponse:
                Walk(command.Txn!, txnResponse, command.VolatilePuts, ref volatileNow);
                break;
        }

        foreach (var e in events)
        {
            if (e.Type == EventType.Put && volatileNow is not null && volatileNow.Contains(e.Kv.Key))
            {
                _keys.Add(e.Kv.Key);
            }
            else
            {
                _keys.Remove(e.Kv.Key);
            }
        }
    }

    /// <summary>The puts of the branch the txn took, nested txns included.</summary>
    private void Walk(TxnRequest txn, TxnResponse response, IReadOnlySet<PutRequest>? volatilePuts, ref HashSet<ReadOnlyMemory<byte>>? volatileNow)
    {
        var ops = response.Succeeded ? txn.Success : txn.Failure;
        for (var i = 0; i < ops.Count && i < response.Responses.Count; i++)
        {
            if (ops[i].RequestPut is { } put)
            {
                Executed(put, volatilePuts, ref volatileNow);
            }
            else if (ops[i].RequestTxn is { } nested && response.Responses[i].ResponseTxn is { } nestedResponse)
            {
                Walk(nested, nestedResponse, volatilePuts, ref volatileNow);
            }
        }
    }

    private void Executed(PutRequest put, IReadOnlySet<PutRequest>? volatilePuts, ref HashSet<ReadOnlyMemory<byte>>? volatileNow)
    {
        if ((volatilePuts is not null && volatilePuts.Contains(put)) || (put.IgnoreValue && _keys.Contains(put.Key)))
        {
            (volatileNow ??= new HashSet<ReadOnlyMemory<byte>>(KeyBytesComparer.Instance)).Add(put.Key);
        }
    }
}
