using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace AntiEtcd.Cli.Tests;

/// <summary>The samples/EmbeddedNode application: an ASP.NET Core app hosting a node (issue 9 item 4).</summary>
[Collection("processes")]
public sealed class EmbeddedSampleTests
{
    [Fact]
    public async Task The_sample_serves_its_own_endpoints_and_the_etcd_api()
    {
        var configuration = typeof(EmbeddedSampleTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var root = Path.GetDirectoryName(Path.GetDirectoryName(ServerProcess.ServerDll)!)!;
        var dll = Path.GetFullPath(Path.Combine(root, "..", "..", "..", "..", "samples", "EmbeddedNode", "bin", configuration, "net10.0", "EmbeddedNode.dll"));
        Assert.True(File.Exists(dll), $"build samples/EmbeddedNode first: {dll} is missing");
        var (appPort, nodePort) = (FreePort(), FreePort());
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "--urls", $"http://127.0.0.1:{appPort}", "--node-port", nodePort.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        try
        {
            using var app = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{appPort}") };
            var deadline = DateTime.UtcNow.AddSeconds(30);
            HttpResponseMessage? put = null;
            while (put is null)
            {
                try
                {
                    put = await app.PutAsync("/config/color", new StringContent("blue"), TestContext.Current.CancellationToken);
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    await Task.Delay(50, TestContext.Current.CancellationToken);
                }
            }

            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal("blue", await app.GetStringAsync("/config/color", TestContext.Current.CancellationToken));

            using var etcd = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{nodePort}") };
            var range = await etcd.PostAsync("/v3/kv/range", new StringContent($"{{\"key\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes("config/color"))}\"}}"), TestContext.Current.CancellationToken);
            Assert.Contains($"\"value\":\"{Convert.ToBase64String("blue"u8.ToArray())}\"", await range.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
