using System.Net;
using AntiEtcd.Server.Cluster;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>A minimal Kestrel app on 127.0.0.1 that hands <c>/antietcd/peer</c> upgrades to a <see cref="PeerListener"/>,
/// the way the server's request handler will.</summary>
public sealed class KestrelPeerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelPeerHost(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Set once the transport exists; upgrades before that are refused with 503.</summary>
    internal PeerListener? Listener { get; set; }

    public static async Task<KestrelPeerHost> StartAsync(int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        KestrelPeerHost? host = null;
        app.UseWebSockets();
        app.Run(context =>
        {
            if (context.Request.Path != ClusterMembership.PeerPath || host?.Listener is not { } listener)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return Task.CompletedTask;
            }

            return listener.AcceptAsync(context);
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host = new KestrelPeerHost(app, new Uri(address).Port);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
