using System.Globalization;
using System.Net;
using AntiEtcd.Ceiling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The ceiling: the cheapest Kestrel POST endpoint that does what every antietcd request must do
// (read the whole body, answer a small JSON object), hosted the way src/AntiEtcd.Server hosts its
// listener (empty builder, Kestrel core, HTTP/1.1, one terminal handler, no routing). The gap
// between this and antietcd is the cost of antietcd's own work, not of Kestrel or the client.
var port = 0;
for (var i = 0; i < args.Length; i++)
{
    var arg = args[i];
    if (arg is "--help" or "-h")
    {
        await Console.Out.WriteLineAsync("Usage: AntiEtcd.Ceiling [--port N]   (0 = chosen by the OS; listens on 127.0.0.1)");
        return 0;
    }

    string? value = null;
    if (arg.StartsWith("--port=", StringComparison.Ordinal))
    {
        value = arg["--port=".Length..];
    }
    else if (arg == "--port" && i + 1 < args.Length)
    {
        value = args[++i];
    }

    if (value is null || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
    {
        await Console.Error.WriteLineAsync($"AntiEtcd.Ceiling: bad argument '{arg}'. Try --help.");
        return 2;
    }
}

var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = args });
builder.WebHost.UseKestrelCore();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
});

await using var app = builder.Build();
app.Run(CeilingEndpoint.HandleAsync);
await app.StartAsync();

var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
await Console.Out.WriteLineAsync($"ceiling listening on {string.Join(' ', addresses ?? [])}");
await app.WaitForShutdownAsync();
return 0;
