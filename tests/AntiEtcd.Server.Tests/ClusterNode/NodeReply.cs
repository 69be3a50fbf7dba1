using System.Text.Json.Nodes;

namespace AntiEtcd.Server.Tests.ClusterNode;

/// <summary>An HTTP answer of a cluster node: the status and the parsed JSON body.</summary>
public sealed record NodeReply(int Status, JsonObject Body)
{
    public string Message => Body["message"]?.GetValue<string>() ?? "";

    public long Revision => Number(Body["header"]?["revision"]);

    public static long Number(JsonNode? node) => node is null ? 0
        : node.GetValueKind() == System.Text.Json.JsonValueKind.String ? long.Parse(node.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
        : node.GetValue<long>();

    public override string ToString() => $"{Status} {Body.ToJsonString()}";
}
