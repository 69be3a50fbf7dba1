namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>Wakes waiters whenever something they may be waiting for changed; no polling, no sleeps.</summary>
public sealed class AsyncSignal
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Pulse() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Returns once <paramref name="condition"/> holds, checking after every pulse.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (condition())
            {
                return;
            }

            try
            {
                await changed.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException e)
            {
                throw new TimeoutException($"Timed out waiting for {what}", e);
            }
        }
    }
}
