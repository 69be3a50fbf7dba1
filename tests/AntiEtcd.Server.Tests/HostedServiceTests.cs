using AntiEtcd.Server.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AntiEtcd.Server.Tests;

/// <summary>Issue 9 item 4: a node inside a .NET host via <c>services.AddAntiEtcd</c>.</summary>
public sealed class HostedServiceTests
{
    [Fact]
    public async Task The_host_starts_and_stops_the_node()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAntiEtcd(options => options.Port = 0);
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);

        var node = host.Services.GetRequiredService<AntiEtcdServer>();
        await node.PutAsync("k", "v", TestContext.Current.CancellationToken);
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.LocalPort}") })
        {
            var body = await http.GetStringAsync("/health", TestContext.Current.CancellationToken);
            Assert.Equal("{\"health\":\"true\"}", body);
        }

        await host.StopAsync(TestContext.Current.CancellationToken);
        Assert.True(node.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_failed_node_stops_the_application()
    {
        var path = Path.Combine(Path.GetTempPath(), "antietcd-hosted-" + Guid.NewGuid().ToString("N"));
        var disk = new AntiEtcd.Storage.MemoryStorageFileSystem();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(_ => new AntiEtcdServer(new AntiEtcdOptions { Port = 0, Data = path }) { StorageFileSystem = disk });
        builder.Services.AddAntiEtcd(_ => { });
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var node = host.Services.GetRequiredService<AntiEtcdServer>();

        disk.SyncError = new IOException("EIO (injected)");
        await Assert.ThrowsAsync<AntiEtcdRequestException>(() => node.PutAsync("k", "v", TestContext.Current.CancellationToken));
        await Task.WhenAny(Task.Delay(Timeout.Infinite, lifetime.ApplicationStopping), Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.True(lifetime.ApplicationStopping.IsCancellationRequested, "the host kept running without its store");
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}
