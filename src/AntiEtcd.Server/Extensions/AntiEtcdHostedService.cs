using Microsoft.Extensions.Hosting;

namespace AntiEtcd.Server.Extensions;

/// <summary>Runs an <see cref="AntiEtcdServer"/> for the lifetime of a .NET host.</summary>
/// <remarks>
/// The host starts the node with the application and stops it gracefully (SPEC §13.3) when the
/// application stops. If the node fails (a storage error), the host is asked to stop too, so the
/// process does not keep running without its store.
/// </remarks>
public sealed class AntiEtcdHostedService(AntiEtcdServer server, IHostApplicationLifetime lifetime) : IHostedService
{
    private Task? _watch;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        _watch = WatchForFailureAsync();
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await server.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_watch is not null)
        {
            await _watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task WatchForFailureAsync()
    {
        try
        {
            await server.Completion.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The failure itself is logged by the server; the application cannot go on without it.
            lifetime.StopApplication();
        }
    }
}
