namespace AntiEtcd.Server.Tests.Golden;

/// <summary>Every capture is accounted for, and the human manifest agrees with the machine one.</summary>
public sealed class GoldenManifestTests
{
    /// <summary>watch/ is covered by a later issue (watches over WebSocket are not implemented yet).</summary>
    private const string WatchDirectory = "watch/";

    [Fact]
    public void Every_capture_is_in_the_replay_manifest_and_nothing_else()
    {
        var root = RepoPaths.GoldenDirectory;
        var onDisk = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*.txt", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (!name.StartsWith(WatchDirectory, StringComparison.Ordinal))
            {
                onDisk.Add(name);
            }
        }

        var listed = new SortedSet<string>(GoldenManifest.Instance.Captures.Keys, StringComparer.Ordinal);
        Assert.Empty(onDisk.Except(listed));
        Assert.Empty(listed.Except(onDisk));
    }

    [Fact]
    public void Every_capture_parses()
    {
        foreach (var name in GoldenManifest.Instance.Captures.Keys)
        {
            var exchange = GoldenExchange.Load(name);
            Assert.True(exchange.Status is >= 200 and < 600, name);
            Assert.StartsWith("/", exchange.Path, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Markdown_manifest_has_the_same_rows_and_classes()
    {
        var markdown = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(RepoPaths.Root, "docs", "golden-manifest.md")))
        {
            if (!line.StartsWith("| `", StringComparison.Ordinal))
            {
                continue;
            }

            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            Assert.True(markdown.TryAdd(cells[1].Trim('`'), cells[2].Trim('`')), $"docs/golden-manifest.md lists {cells[1]} twice");
        }

        var twin = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, step) in GoldenManifest.Instance.Captures)
        {
            twin[name] = step.Class;
        }

        Assert.Equal(twin.OrderBy(p => p.Key, StringComparer.Ordinal), markdown.OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
