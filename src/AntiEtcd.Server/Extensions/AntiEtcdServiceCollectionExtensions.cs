using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Extensions;

/// <summary>Registration of an embedded node in a .NET host (ASP.NET Core or the generic host).</summary>
public static class AntiEtcdServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="AntiEtcdServer"/> as a singleton, started and stopped with the host by
    /// <see cref="AntiEtcdHostedService"/>. The node listens on its own port (its options' <c>Port</c>
    /// and <c>Ip</c>), separate from the application's endpoints; resolve <see cref="AntiEtcdServer"/>
    /// to call it in-process.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the node's options (SPEC §11.2 names in PascalCase).</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddAntiEtcd(this IServiceCollection services, Action<AntiEtcdOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton(provider =>
        {
            var options = new AntiEtcdOptions();
            configure(options);
            return new AntiEtcdServer(options, provider.GetService<ILoggerFactory>(), provider.GetService<TimeProvider>());
        });
        services.AddHostedService<AntiEtcdHostedService>();
        return services;
    }
}
