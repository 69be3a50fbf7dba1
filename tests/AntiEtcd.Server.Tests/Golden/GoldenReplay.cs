using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;

namespace AntiEtcd.Server.Tests.Golden;

/// <summary>
/// Replays every scene of <see cref="GoldenManifest"/> once, each on a fresh node with a fake
/// clock, and keeps our answer to each capture for <see cref="GoldenCaptureTests"/>.
/// </summary>
public sealed partial class GoldenReplay : IAsyncLifetime
{
    private readonly Dictionary<string, GoldenResult> _results = new(StringComparer.Ordinal);

    /// <summary>Per scene: our lease ID text → etcd's, for IDs the server chose (SPEC §5.1 ID 0).</summary>
    private readonly Dictionary<string, Dictionary<string, string>> _aliases = new(StringComparer.Ordinal);

    internal GoldenResult Result(string capture) =>
        _results.TryGetValue(capture, out var result) ? result : throw new InvalidOperationException($"{capture} was not replayed");

    internal IReadOnlyDictionary<string, string> Aliases(string scene) =>
        _aliases.TryGetValue(scene, out var map) ? map : new Dictionary<string, string>();

    /// <summary>etcd and we differ in cluster_id, member_id and raft_term by design (SPEC §8.1): blank them.</summary>
    internal static string Normalize(string body) => IdentityFields().Replace(body, "\"$1\":\"*\"");

    public async ValueTask InitializeAsync()
    {
        _ = RepoPaths.GoldenDirectory; // fail early and clearly when the captures are missing
        foreach (var scene in GoldenManifest.Instance.Scenes)
        {
            await ReplaySceneAsync(scene);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task ReplaySceneAsync(string scene)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var node = await RunningServer.StartAsync(time: time);
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        _aliases[scene] = aliases;
        foreach (var step in GoldenManifest.Instance.Steps)
        {
            if (step.Scene != scene)
            {
                continue;
            }

            switch (step.Kind)
            {
                case GoldenStepKind.Run:
                    _results[step.Capture] = await RunAsync(node, step, aliases);
                    break;
                case GoldenStepKind.Do:
                    var setup = await SendAsync(node, step.Method!, step.Path, "application/json", ToOurs(step.Body, aliases));
                    if (setup.Status != 200)
                    {
                        throw new InvalidOperationException($"golden-replay.txt:{step.Line}: setup {step.Path} {step.Body} -> {setup.Status} {setup.Body} {setup.Failure}");
                    }

                    break;
                case GoldenStepKind.Advance:
                    time.Advance(TimeSpan.FromMilliseconds(step.Milliseconds));
                    break;
                case GoldenStepKind.Expire:
                    await node.Server.RevokeExpiredLeasesAsync(TestContext.Current.CancellationToken);
                    break;
                default:
                    throw new InvalidOperationException($"golden-replay.txt:{step.Line}: {step.Kind} inside a scene");
            }
        }
    }

    private static async Task<GoldenResult> RunAsync(RunningServer node, GoldenStep step, Dictionary<string, string> aliases)
    {
        var golden = GoldenExchange.Load(step.Capture);
        var contentType = step.ContentType switch
        {
            null => golden.ContentType,
            "none" => null,
            _ => step.ContentType,
        };
        var result = await SendAsync(node, step.Method ?? golden.Method, golden.Path, contentType, ToOurs(golden.RequestBody, aliases));
        if (step.AliasLeaseId && result.Status == 200 && golden.Status == 200)
        {
            var ours = LeaseId().Match(result.Body).Groups[1].Value;
            var theirs = LeaseId().Match(golden.ResponseBody).Groups[1].Value;
            aliases[ours] = theirs;
        }

        var body = result.Body;
        foreach (var (ours, theirs) in aliases)
        {
            body = body.Replace(ours, theirs, StringComparison.Ordinal);
        }

        return result with { Body = body };
    }

    private static string ToOurs(string body, Dictionary<string, string> aliases)
    {
        foreach (var (ours, theirs) in aliases)
        {
            body = body.Replace(theirs, ours, StringComparison.Ordinal);
        }

        return body;
    }

    private static async Task<GoldenResult> SendAsync(RunningServer node, string method, string path, string? contentType, string body)
    {
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body.Length > 0 || method == "POST")
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
                request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
            }

            using var response = await node.Http.SendAsync(request, TestContext.Current.CancellationToken);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var allow = response.Content.Headers.Allow.Count > 0 ? string.Join(", ", response.Content.Headers.Allow) : null;
            return new GoldenResult((int)response.StatusCode, text, response.Content.Headers.ContentType?.MediaType, allow, null);
        }
        catch (HttpRequestException ex)
        {
            return new GoldenResult(0, "", null, null, ex.ToString());
        }
    }

    [GeneratedRegex("\"(cluster_id|member_id|raft_term)\":\"[0-9]+\"")]
    private static partial Regex IdentityFields();

    [GeneratedRegex("\"ID\":\"([0-9]+)\"")]
    private static partial Regex LeaseId();
}
