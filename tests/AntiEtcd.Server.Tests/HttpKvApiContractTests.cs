using System.Text;

namespace AntiEtcd.Server.Tests;

/// <summary>The contract through real HTTP requests to Kestrel on loopback.</summary>
public sealed class HttpKvApiContractTests : KvApiContractTests
{
    protected override async Task<ApiReply> CallAsync(string route, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await Node.Http.PostAsync(route, content, TestContext.Current.CancellationToken);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return new ApiReply((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
