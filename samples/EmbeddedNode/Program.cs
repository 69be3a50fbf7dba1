using System.Text;
using AntiEtcd.Server;
using AntiEtcd.Server.Extensions;

// An ordinary ASP.NET Core application that hosts an AntiEtcd node: the node serves the etcd API
// on its own port, and the application calls it in-process through the AntiEtcdServer singleton.
// Run: dotnet run --project samples/EmbeddedNode -- --urls http://127.0.0.1:5000 --node-port 2379
var builder = WebApplication.CreateBuilder(args);
var nodePort = builder.Configuration.GetValue("node-port", 2379);
var data = builder.Configuration.GetValue<string?>("node-data", null);
builder.Services.AddAntiEtcd(options =>
{
    options.Port = nodePort;
    options.Data = data;
});

var app = builder.Build();

// GET /config/{key}: read through the embedded node (no HTTP hop).
app.MapGet("/config/{key}", async (string key, AntiEtcdServer node, CancellationToken cancellationToken) =>
{
    var range = await node.RangeAsync("config/" + key, cancellationToken);
    return range.Kvs.Count == 0 ? Results.NotFound() : Results.Text(Encoding.UTF8.GetString(range.Kvs[0].Value.Span));
});

// PUT /config/{key}: write through the embedded node; etcd clients see it on the node's port.
app.MapPut("/config/{key}", async (string key, HttpRequest request, AntiEtcdServer node, CancellationToken cancellationToken) =>
{
    using var reader = new StreamReader(request.Body, Encoding.UTF8);
    var value = await reader.ReadToEndAsync(cancellationToken);
    var put = await node.PutAsync("config/" + key, value, cancellationToken);
    return Results.Text(put.Header.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
});

// The node's etcd port, for tests and tooling.
app.MapGet("/node", (AntiEtcdServer node) => Results.Text(node.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));

await app.RunAsync();
