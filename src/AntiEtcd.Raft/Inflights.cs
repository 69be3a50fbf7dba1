namespace AntiEtcd.Raft;

/// <summary>The last index of each append message in flight to one follower: the flow-control window.</summary>
internal sealed class Inflights(int capacity)
{
    private readonly Queue<ulong> _lastIndexes = new();

    public int Count => _lastIndexes.Count;

    public bool Full => _lastIndexes.Count >= capacity;

    public void Add(ulong lastIndex) => _lastIndexes.Enqueue(lastIndex);

    /// <summary>Frees every message whose last index is at or below <paramref name="index"/>: the follower has those.</summary>
    public void FreeLE(ulong index)
    {
        while (_lastIndexes.Count > 0 && _lastIndexes.Peek() <= index)
        {
            _lastIndexes.Dequeue();
        }
    }

    /// <summary>Frees one slot, so a heartbeat answer can restart a window stuck on lost messages.</summary>
    public void FreeFirstOne() => _lastIndexes.TryDequeue(out _);

    public void Reset() => _lastIndexes.Clear();
}
