using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AntiEtcd.Server.Hosting;

/// <summary>The Kestrel listener of one node: one terminal handler, no MVC, no routing middleware.</summary>
internal sealed class HttpFrontend : IAsyncDisposable
{
    private readonly AntiEtcdServer _server;
    private readonly WebApplication _app;
    private readonly IPAddress[] _addresses;

    public HttpFrontend(AntiEtcdServer server)
    {
        _server = server;
        var options = server.Options;
        _addresses = ResolveListenAddresses(options.Listen.Ip);
        var tls = TlsSettings.Load(options);

        // An empty builder: an embedded node must not pick up ASPNETCORE_* variables, appsettings
        // files or the host's console logging.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(server.LoggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The body limit is enforced by the handler, which answers 413 with etcd's JSON body.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            foreach (var address in _addresses)
            {
                kestrel.Listen(address, options.Listen.Port, listen =>
                {
                    if (tls is not null)
                    {
                        listen.Protocols = HttpProtocols.Http1AndHttp2;
                        listen.UseHttps(tls.Configure);
                    }
                    else
                    {
                        listen.Protocols = HttpProtocols.Http1;
                    }
                });
            }
        });
        _app = builder.Build();
        var handler = new RequestHandler(server, () => IsLoopbackOnly, tls);
        _app.UseWebSockets();
        _app.Run(handler.HandleAsync);
    }

    /// <summary>The bound port (the OS's choice when the option was 0).</summary>
    public int LocalPort { get; private set; }

    /// <summary>True when every listen address is a loopback address (SPEC §10.5).</summary>
    public bool IsLoopbackOnly => Array.TrueForAll(_addresses, IPAddress.IsLoopback);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("Kestrel reported no listen address.");
        LocalPort = new Uri(first.Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    /// <summary>
    /// <c>ip</c> option semantics (SPEC §11.2): an IP literal as is, <c>localhost</c> as 127.0.0.1,
    /// any other name as all interfaces.
    /// </summary>
    private static IPAddress[] ResolveListenAddresses(string ip)
    {
        if (IPAddress.TryParse(ip.Trim('[', ']'), out var address))
        {
            return [address];
        }

        if (string.Equals(ip, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return [IPAddress.Loopback];
        }

        return [Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any];
    }
}
