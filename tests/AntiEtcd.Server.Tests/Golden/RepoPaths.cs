namespace AntiEtcd.Server.Tests.Golden;

/// <summary>
/// Finds the repository (the folder holding <c>AntiEtcd.slnx</c>) and the shared etcd captures,
/// which CI clones beside it as <c>&lt;repo&gt;/../shared/etcd-golden</c>.
/// </summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The golden capture directory; a missing one is an error, never a silent skip.</summary>
    public static string GoldenDirectory
    {
        get
        {
            var dir = Path.GetFullPath(Path.Combine(Root, "..", "shared", "etcd-golden"));
            return Directory.Exists(dir)
                ? dir
                : throw new DirectoryNotFoundException(
                    $"The etcd golden captures are missing: expected them at {dir} " +
                    "(clone the shared folder beside the repository, as CI does).");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AntiEtcd.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No AntiEtcd.slnx above {AppContext.BaseDirectory}: cannot locate the repository.");
    }
}
