namespace AntiEtcd.Server.Tests;

/// <summary>A started in-memory node on a free loopback port, with an HTTP client aimed at it.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(AntiEtcdServer server, HttpClient client)
    {
        Server = server;
        Http = client;
    }

    public AntiEtcdServer Server { get; }

    public HttpClient Http { get; }

    public static async Task<RunningServer> StartAsync(Action<AntiEtcdOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new AntiEtcdOptions { Port = 0 };
        configure?.Invoke(options);
        var server = new AntiEtcdServer(options, null, time);
        await server.StartAsync(TestContext.Current.CancellationToken);
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.LocalPort}"), Timeout = TimeSpan.FromSeconds(30) };
        return new RunningServer(server, client);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
