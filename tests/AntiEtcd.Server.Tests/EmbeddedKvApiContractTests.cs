using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AntiEtcd.Server.Tests;

/// <summary>The contract through the embedded generic call <c>ApiAsync</c>, with no HTTP involved.</summary>
public sealed class EmbeddedKvApiContractTests : KvApiContractTests
{
    private static readonly JsonSerializerOptions s_compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    protected override async Task<ApiReply> CallAsync(string route, string body)
    {
        var name = route.TrimStart('/').Replace("v3/", "", StringComparison.Ordinal).Replace('/', '_');
        JsonObject? request;
        try
        {
            request = string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            // Not JSON: only HTTP can carry such a body; reproduce HTTP's answer to compare like with like.
            return new ApiReply(400, Etcd.Error("body should be valid JSON", 3));
        }

        if (request is null && !string.IsNullOrWhiteSpace(body))
        {
            return new ApiReply(400, Etcd.Error("body should be JSON object", 3));
        }

        try
        {
            var response = await Server.ApiAsync(name, request, null, TestContext.Current.CancellationToken);
            return new ApiReply(200, response.ToJsonString(s_compact));
        }
        catch (AntiEtcdRequestException ex)
        {
            return new ApiReply(ex.Code, JsonSerializer.Serialize(new JsonObject { ["error"] = ex.Message, ["message"] = ex.Message, ["code"] = ex.GrpcCode }, s_compact));
        }
    }
}
