using System.Globalization;

namespace AntiEtcd.Server.Tests.Golden;

/// <summary>
/// The machine-readable twin of <c>docs/golden-manifest.md</c>: <c>Golden/golden-replay.txt</c>.
/// It lists every capture with its class and, for replayed ones, the scene and order in which a
/// fresh server replays them so that revisions come out as in etcd's run.
/// </summary>
internal sealed class GoldenManifest
{
    private static readonly Lazy<GoldenManifest> LazyInstance = new(() => Parse(File.ReadAllLines(FilePath)));

    private GoldenManifest()
    {
    }

    /// <summary>The manifest file in the source tree.</summary>
    public static string FilePath => Path.Combine(RepoPaths.Root, "tests", "AntiEtcd.Server.Tests", "Golden", "golden-replay.txt");

    /// <summary>The parsed manifest.</summary>
    public static GoldenManifest Instance => LazyInstance.Value;

    /// <summary>Scene names in file order.</summary>
    public List<string> Scenes { get; } = [];

    /// <summary>Every step in file order.</summary>
    public List<GoldenStep> Steps { get; } = [];

    /// <summary>Run and Skip steps by capture name.</summary>
    public Dictionary<string, GoldenStep> Captures { get; } = new(StringComparer.Ordinal);

    /// <summary>Parses the manifest lines.</summary>
    public static GoldenManifest Parse(string[] lines)
    {
        var manifest = new GoldenManifest();
        var scene = "";
        GoldenStep? last = null;
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var (command, rest) = Split(trimmed);
            switch (command)
            {
                case "scene":
                    scene = rest;
                    manifest.Scenes.Add(scene);
                    last = null;
                    break;
                case "run":
                case "skip":
                    last = ParseCapture(command == "run" ? GoldenStepKind.Run : GoldenStepKind.Skip, command == "run" ? scene : "", rest, n + 1);
                    if (!manifest.Captures.TryAdd(last.Capture, last))
                    {
                        throw new FormatException($"golden-replay.txt:{n + 1}: {last.Capture} is listed twice");
                    }

                    manifest.Steps.Add(last);
                    break;
                case "expect":
                    (last ?? throw Bad(n, "expect without a capture")).Expect = rest;
                    break;
                case "bug":
                    (last ?? throw Bad(n, "bug without a capture")).Bug = rest;
                    break;
                case "do":
                    var (method, request) = Split(rest);
                    var (path, body) = Split(request);
                    manifest.Steps.Add(new GoldenStep { Kind = GoldenStepKind.Do, Scene = scene, Method = method, Path = path, Body = body, Line = n + 1 });
                    last = null;
                    break;
                case "advance":
                    manifest.Steps.Add(new GoldenStep { Kind = GoldenStepKind.Advance, Scene = scene, Milliseconds = int.Parse(rest, CultureInfo.InvariantCulture), Line = n + 1 });
                    last = null;
                    break;
                case "expire":
                    manifest.Steps.Add(new GoldenStep { Kind = GoldenStepKind.Expire, Scene = scene, Line = n + 1 });
                    last = null;
                    break;
                default:
                    throw Bad(n, $"unknown command '{command}'");
            }
        }

        return manifest;
    }

    private static GoldenStep ParseCapture(GoldenStepKind kind, string scene, string rest, int line)
    {
        var reason = "";
        var dashes = rest.IndexOf(" -- ", StringComparison.Ordinal);
        if (dashes >= 0)
        {
            reason = rest[(dashes + 4)..].Trim();
            rest = rest[..dashes];
        }

        var words = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 2 || words[1] is not ("applies" or "applies-status-only" or "differs"))
        {
            throw new FormatException($"golden-replay.txt:{line}: expected '<capture> applies|applies-status-only|differs'");
        }

        var step = new GoldenStep { Kind = kind, Scene = scene, Capture = words[0], Class = words[1], Reason = reason, Line = line };
        foreach (var option in words[2..])
        {
            var eq = option.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? option : option[..eq];
            var value = eq < 0 ? "" : option[(eq + 1)..];
            switch (name)
            {
                case "method": step.Method = value; break;
                case "content-type": step.ContentType = value; break;
                case "ours": step.OurStatus = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "allow": step.Allow = value.Replace(",", ", ", StringComparison.Ordinal); break;
                case "alias-lease-id": step.AliasLeaseId = true; break;
                default: throw new FormatException($"golden-replay.txt:{line}: unknown option '{option}'");
            }
        }

        return step;
    }

    private static (string Head, string Tail) Split(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (text, "") : (text[..space], text[(space + 1)..].Trim());
    }

    private static FormatException Bad(int index, string message) => new($"golden-replay.txt:{index + 1}: {message}");
}
