using System.Text;

namespace AntiEtcd.Cli.Tests;

/// <summary>One real antietcd process shared by the tests of a class; tests use distinct keys.</summary>
public sealed class AnticliServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;

    public int Port { get; private set; }

    public string Url => $"http://127.0.0.1:{Port}";

    public ServerProcess Server => _server!;

    public async ValueTask InitializeAsync()
    {
        _server = ServerProcess.Start("--port", "0");
        Port = await _server.WaitForPortAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Runs anticli against this server: <c>-e URL</c> and then <paramref name="args"/>.</summary>
    public Task<AnticliResult> RunAsync(params string[] args) => AnticliProcess.RunAsync(["-e", Url, .. args]);

    /// <summary>Runs anticli against this server with <paramref name="stdin"/>.</summary>
    public Task<AnticliResult> RunWithInputAsync(byte[] stdin, params string[] args) => AnticliProcess.RunWithInputAsync(stdin, ["-e", Url, .. args]);

    /// <summary>Posts a raw body to the server, for setup that anticli does not do (compaction).</summary>
    public async Task<string> PostAsync(string path, string body)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url) };
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8), TestContext.Current.CancellationToken);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }
}
