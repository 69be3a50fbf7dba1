using System.Text.RegularExpressions;

namespace AntiEtcd.Server.Tests.Golden;

/// <summary>
/// Our answers compared with etcd 3.4's, one test per capture, driven by
/// <c>golden-replay.txt</c> (the twin of <c>docs/golden-manifest.md</c>). <c>applies</c>: same
/// status and same body after normalizing cluster_id, member_id and raft_term; <c>applies-status-only</c>:
/// same status, body as SPEC says; <c>differs</c>: what SPEC says instead (§14.2 mostly).
/// </summary>
public sealed partial class GoldenCaptureTests(GoldenReplay replay) : IClassFixture<GoldenReplay>
{
    private const string NotFound =
        "{\"error\":\"Supported APIs: /v3/kv/range, /v3/kv/put, /v3/kv/deleterange, /v3/kv/txn, /v3/kv/compaction, /v3/lease/grant, /v3/lease/revoke, /v3/kv/lease/revoke, /v3/lease/keepalive, /v3/lease/timetolive, /v3/kv/lease/timetolive, /v3/lease/leases, /v3/kv/lease/leases, /v3/maintenance/status\"," +
        "\"message\":\"Supported APIs: /v3/kv/range, /v3/kv/put, /v3/kv/deleterange, /v3/kv/txn, /v3/kv/compaction, /v3/lease/grant, /v3/lease/revoke, /v3/kv/lease/revoke, /v3/lease/keepalive, /v3/lease/timetolive, /v3/kv/lease/timetolive, /v3/lease/leases, /v3/kv/lease/leases, /v3/maintenance/status\",\"code\":5}";

    /// <summary>Every capture of the manifest; a known server bug skips its row.</summary>
    public static IEnumerable<TheoryDataRow<string>> Captures()
    {
        foreach (var step in GoldenManifest.Instance.Steps)
        {
            if (step.Kind is GoldenStepKind.Run or GoldenStepKind.Skip)
            {
                yield return new TheoryDataRow<string>(step.Capture) { Skip = step.Bug is null ? null : "BUG: " + step.Bug };
            }
        }
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Capture_matches_etcd_or_SPEC(string capture)
    {
        var step = GoldenManifest.Instance.Captures[capture];
        var golden = GoldenExchange.Load(capture);
        if (step.Kind == GoldenStepKind.Skip)
        {
            Assert.Equal("differs", step.Class);
            Assert.False(string.IsNullOrEmpty(step.Reason), $"{capture}: a capture that is not replayed needs its SPEC reason");
            return;
        }

        var ours = replay.Result(capture);
        var context = $"{capture} ({step.Class}): ours {ours.Status} {Shorten(ours.Body)} | etcd {golden.Status} {Shorten(golden.ResponseBody)}";
        Assert.True(ours.Failure is null, $"{capture}: request failed: {ours.Failure}");
        Assert.True(ours.Status != 500, context);
        Assert.True(ours.ContentType == "application/json", $"{context}: Content-Type {ours.ContentType}");
        var oursBody = GoldenReplay.Normalize(ours.Body);
        var etcdBody = GoldenReplay.Normalize(golden.ResponseBody);
        switch (step.Class)
        {
            case "applies":
                Assert.True(golden.Status == ours.Status, context);
                Assert.Equal(etcdBody, oursBody);
                break;
            case "applies-status-only":
                Assert.True(golden.Status == ours.Status, context);
                Assert.True(etcdBody != oursBody, $"{context}: the bodies are equal, classify it as applies");
                break;
            default:
                Assert.True((step.OurStatus ?? golden.Status) == ours.Status, context);
                Assert.True(step.OurStatus is not null || step.Expect is not null, $"{capture}: a replayed 'differs' needs ours= or expect");
                break;
        }

        if (step.Allow is not null)
        {
            Assert.Equal(step.Allow, ours.Allow);
        }

        switch (step.Expect)
        {
            case null:
                break;
            case "@golden":
                Assert.Equal(etcdBody, oursBody);
                break;
            case "@not-found":
                Assert.Equal(NotFound, ours.Body);
                break;
            case "@leases-ascending":
                AssertLeasesAscending(etcdBody, oursBody, replay.Aliases(step.Scene));
                break;
            default:
                Assert.Equal(GoldenReplay.Normalize(step.Expect), oursBody);
                break;
        }
    }

    /// <summary>SPEC §5.5: the same leases as etcd, but ascending by ID (etcd lists them in map order).</summary>
    private static void AssertLeasesAscending(string etcdBody, string oursBody, IReadOnlyDictionary<string, string> aliases)
    {
        var etcdIds = LeaseIds(etcdBody);
        var ourIds = LeaseIds(oursBody);
        Assert.Equal(etcdIds.Order(StringComparer.Ordinal), ourIds.Order(StringComparer.Ordinal));
        var ourNumbers = new List<long>();
        foreach (var id in ourIds)
        {
            var real = id;
            foreach (var (ours, theirs) in aliases)
            {
                real = theirs == id ? ours : real;
            }

            ourNumbers.Add(long.Parse(real, System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(ourNumbers.Order(), ourNumbers);
        Assert.Equal(LeaseList().Replace(etcdBody, ""), LeaseList().Replace(oursBody, ""));
    }

    private static List<string> LeaseIds(string body)
    {
        var ids = new List<string>();
        foreach (Match match in LeaseEntry().Matches(LeaseList().Match(body).Value))
        {
            ids.Add(match.Groups[1].Value);
        }

        return ids;
    }

    private static string Shorten(string text) => text.Length <= 400 ? text : text[..400] + "…";

    [GeneratedRegex("\"leases\":\\[[^\\]]*\\]")]
    private static partial Regex LeaseList();

    [GeneratedRegex("\\{\"ID\":\"(-?[0-9]+)\"\\}")]
    private static partial Regex LeaseEntry();
}
