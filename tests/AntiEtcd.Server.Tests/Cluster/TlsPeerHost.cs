using System.Net;
using AntiEtcd.Server.Cluster;
using AntiEtcd.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AntiEtcd.Server.Tests.Cluster;

/// <summary>
/// <see cref="KestrelPeerHost"/> over TLS: the server's own <see cref="TlsSettings"/> configure the endpoint, and an
/// upgrade whose client certificate is refused by <see cref="TlsSettings.IsPeerCertificateAccepted"/> gets 403
/// before it reaches the <see cref="PeerListener"/>, as the server's request handler does (SPEC §10.2).
/// </summary>
public sealed class TlsPeerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TlsPeerHost(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Set once the transport exists; upgrades before that are refused with 503.</summary>
    internal PeerListener? Listener { get; set; }

    /// <summary>Listens on 127.0.0.1 with the TLS options of <paramref name="options"/> (cert, key, ca, client_cert_auth, peer_ca).</summary>
    public static async Task<TlsPeerHost> StartAsync(AntiEtcdOptions options, CancellationToken cancellationToken)
    {
        var tls = TlsSettings.Load(options) ?? throw new ArgumentException("cert and key are required", nameof(options));
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(tls.Configure)));
        var app = builder.Build();
        TlsPeerHost? host = null;
        app.UseWebSockets();
        app.Run(context =>
        {
            if (context.Request.Path != ClusterMembership.PeerPath || host?.Listener is not { } listener)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return Task.CompletedTask;
            }

            if (!TlsSettings.IsPeerCertificateAccepted(context, tls))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            }

            return listener.AcceptAsync(context);
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host = new TlsPeerHost(app, new Uri(address).Port);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
