using AntiEtcd.Mvcc;

namespace AntiEtcd.Server.Node;

/// <summary>A unit of work for the <see cref="ApplyLoop"/>, the only code that touches the store.</summary>
/// <remarks>
/// Running and completing are separate so that the loop publishes the new
/// <see cref="AppliedState"/> before the caller resumes: a status read after an acknowledged write
/// then always shows that write's revision.
/// </remarks>
internal abstract class StoreOperation
{
    /// <summary>True for writes, which advance the applied index.</summary>
    public bool IsWrite { get; init; }

    /// <summary>
    /// For a logged write: the WAL sequence that must be durable before the write is applied
    /// (and so before anyone can read its effect); 0 when nothing is logged.
    /// </summary>
    public long WalSequence { get; set; }

    /// <summary>For a committed log entry of a cluster node: its index, which becomes the applied index; 0 otherwise.</summary>
    public ulong LogIndex { get; init; }

    /// <summary>For a linearizable read: runs only once the applied index has reached this read index (SPEC §8.5).</summary>
    public ulong MinAppliedIndex { get; init; }

    /// <summary>Runs on the apply loop; must not block.</summary>
    public abstract void Run(MvccStore store);

    /// <summary>Hands the result (or failure) of <see cref="Run"/> to the waiting caller.</summary>
    public abstract void Complete();

    /// <summary>Fails the waiting caller without running (the loop is stopping).</summary>
    public abstract void Abandon(Exception reason);
}
