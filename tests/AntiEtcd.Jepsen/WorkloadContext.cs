using AntiEtcd.Client;

namespace AntiEtcd.Jepsen;

/// <summary>What a workload gets from the runner: the cluster, its seed and a client factory.</summary>
/// <param name="Cluster">The cluster under test.</param>
/// <param name="Seed">The run's seed; each worker derives its own generator from it.</param>
/// <param name="Workers">Concurrent client workers.</param>
/// <param name="RequestTimeout">Client timeout per attempt; longer than the server's forward deadline so the server answers first.</param>
public sealed record WorkloadContext(JepsenCluster Cluster, int Seed, int Workers, TimeSpan RequestTimeout)
{
    /// <summary>
    /// A client for <paramref name="worker"/>: all nodes, starting at node (worker mod N), so workers
    /// spread over the nodes and writes go through followers too (forwarded to the leader).
    /// </summary>
    public AntiEtcdClient CreateClient(int worker)
    {
        var urls = Cluster.ClientUrls;
        var endpoints = new Uri[urls.Count];
        for (int i = 0; i < endpoints.Length; i++)
        {
            endpoints[i] = urls[(worker + i) % urls.Count];
        }

        return new AntiEtcdClient(new AntiEtcdClientOptions { Endpoints = endpoints, Timeout = RequestTimeout, ReconnectDelay = TimeSpan.FromMilliseconds(200) });
    }

    /// <summary>A generator for <paramref name="worker"/> of workload <paramref name="salt"/>, derived from <see cref="Seed"/>.</summary>
    public Random CreateRandom(int worker, int salt) => new(HashCode.Combine(Seed, worker, salt));

    /// <summary>
    /// A short pause after an operation that could not run (node down, no leader): without it a worker
    /// spins on "connection refused" and floods the history with failed operations that check nothing.
    /// </summary>
    public static async Task BackoffAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(100, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The run is over; the worker loop notices.
        }
    }
}
