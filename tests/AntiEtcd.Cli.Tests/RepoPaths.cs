using System.Reflection;

namespace AntiEtcd.Cli.Tests;

/// <summary>Where the repository and the build outputs the tests run are.</summary>
internal static class RepoPaths
{
    /// <summary>The configuration this test assembly was built in; the executables under test are built in the same one.</summary>
    public static string Configuration { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The folder that holds AntiEtcd.slnx.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AntiEtcd.slnx")))
            {
                dir = dir.Parent;
            }

            Assert.NotNull(dir);
            return dir.FullName;
        }
    }

    /// <summary>A project's built assembly, e.g. <c>BuiltDll("src/antietcd", "antietcd.dll")</c>; fails the test when it is missing.</summary>
    public static string BuiltDll(string projectFolder, string fileName)
    {
        var dll = Path.Combine(Root, projectFolder, "bin", Configuration, "net10.0", fileName);
        Assert.True(File.Exists(dll), $"build {projectFolder} first: {dll} is missing");
        return dll;
    }
}
