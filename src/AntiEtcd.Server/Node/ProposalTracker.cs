namespace AntiEtcd.Server.Node;

/// <summary>
/// Matches applied log entries to the requests waiting for them (DESIGN §2 ProposalTracker): a proposal is identified by
/// the (index, term) the leader gave it, and completes when the entry at that index is applied (SPEC §8.3: a write is
/// answered with the result of its application on the node that answers).
/// </summary>
/// <remarks>
/// A follower learns the (index, term) of a forwarded write from the leader's reply, possibly after it has applied the
/// entry itself; the last <see cref="RecentCapacity"/> outcomes are kept for that race. Thread-safe.
/// </remarks>
internal sealed class ProposalTracker
{
    private const int RecentCapacity = 4096;

    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, (ulong Term, TaskCompletionSource<ApplyOutcome> Completion)> _waiting = [];
    private readonly (ulong Index, ulong Term, ApplyOutcome Outcome)[] _recent = new (ulong, ulong, ApplyOutcome)[RecentCapacity];
    private ulong _applied;

    /// <param name="applied">The index the store reflects at start.</param>
    public ProposalTracker(ulong applied)
    {
        _applied = applied;
    }

    /// <summary>Waits for the entry at <paramref name="index"/>; completes at once when it was applied already.</summary>
    public Task<ApplyOutcome> WaitAsync(ulong index, ulong term)
    {
        lock (_lock)
        {
            if (index <= _applied)
            {
                var slot = _recent[index % RecentCapacity];
                if (slot.Index == index)
                {
                    return Task.FromResult(slot.Term == term ? slot.Outcome : new ApplyOutcome(ApplyOutcomeKind.Lost, default, null, 0));
                }

                return Task.FromResult(new ApplyOutcome(ApplyOutcomeKind.Unknown, default, null, 0));
            }

            var completion = new TaskCompletionSource<ApplyOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            RegisterLocked(index, term, completion);
            return completion.Task;
        }
    }

    /// <summary>
    /// On the Raft loop, as the leader proposes it: <paramref name="completion"/> completes when the entry at
    /// <paramref name="index"/> is applied. The entry was just appended, so it cannot have been applied yet.
    /// </summary>
    public void Track(ulong index, ulong term, TaskCompletionSource<ApplyOutcome> completion)
    {
        lock (_lock)
        {
            RegisterLocked(index, term, completion);
        }
    }

    private void RegisterLocked(ulong index, ulong term, TaskCompletionSource<ApplyOutcome> completion)
    {
        if (_waiting.Remove(index, out var older))
        {
            // A newer leader reused the index: the older proposal cannot be there any more.
            older.Completion.TrySetResult(new ApplyOutcome(older.Term < term ? ApplyOutcomeKind.Lost : ApplyOutcomeKind.Unknown, default, null, 0));
        }

        _waiting[index] = (term, completion);
    }

    /// <summary>On the apply loop: the entry (<paramref name="index"/>, <paramref name="term"/>) was applied with <paramref name="outcome"/>.</summary>
    public void Applied(ulong index, ulong term, ApplyOutcome outcome)
    {
        TaskCompletionSource<ApplyOutcome>? completion = null;
        ApplyOutcome result = default;
        lock (_lock)
        {
            _applied = index;
            _recent[index % RecentCapacity] = (index, term, outcome);
            if (_waiting.Remove(index, out var waiter))
            {
                completion = waiter.Completion;
                result = waiter.Term == term ? outcome : new ApplyOutcome(ApplyOutcomeKind.Lost, default, null, 0);
            }
        }

        completion?.TrySetResult(result);
    }

    /// <summary>On the apply loop: a snapshot replaced the state up to <paramref name="index"/>; waiters at or below it cannot be told.</summary>
    public void SnapshotInstalled(ulong index)
    {
        List<TaskCompletionSource<ApplyOutcome>> unknown = [];
        lock (_lock)
        {
            _applied = index;
            foreach (var (at, waiter) in _waiting)
            {
                if (at <= index)
                {
                    unknown.Add(waiter.Completion);
                }
            }

            foreach (var key in _waiting.Keys.Where(k => k <= index).ToList())
            {
                _waiting.Remove(key);
            }
        }

        foreach (var completion in unknown)
        {
            completion.TrySetResult(new ApplyOutcome(ApplyOutcomeKind.Unknown, default, null, 0));
        }
    }

    /// <summary>Fails every waiter: the node is stopping.</summary>
    public void Abandon(Exception reason)
    {
        List<TaskCompletionSource<ApplyOutcome>> all;
        lock (_lock)
        {
            all = [.. _waiting.Values.Select(w => w.Completion)];
            _waiting.Clear();
        }

        foreach (var completion in all)
        {
            completion.TrySetException(reason);
        }
    }
}
