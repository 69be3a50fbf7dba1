using System.Diagnostics;
using System.Reflection;

namespace AntiEtcd.Cli.Tests;

/// <summary>
/// Issue 9 item 5: <c>dotnet pack</c> gives the embedder's libraries and the two .NET tools, and the tools install from
/// a local folder and run. Packs the already built solution (<c>--no-build</c>, the test's own configuration), so
/// it takes seconds; no network: a nuget.config that lists only the folder, and a private packages folder so a
/// package of the same version cached by an earlier run is never used instead of the new one.
/// </summary>
[Collection("processes")]
public sealed class PackagingTests
{
    private static readonly string[] s_expectedPackages =
    [
        "AntiEtcd.Api", "AntiEtcd.Client", "AntiEtcd.Mvcc", "AntiEtcd.Raft", "AntiEtcd.Server", "AntiEtcd.Storage", "anticli", "antietcd",
    ];

    [Fact]
    public async Task Pack_gives_the_libraries_and_the_tools_which_install_from_a_folder_and_run()
    {
        var root = RepositoryRoot();
        var configuration = RepoPaths.Configuration;
        var work = Directory.CreateTempSubdirectory("antietcd-pack-");
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            var packagesFolder = Path.Combine(work.FullName, "packages");
            var tools = Path.Combine(work.FullName, "tools");
            var config = Path.Combine(work.FullName, "nuget.config");
            await File.WriteAllTextAsync(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """, TestContext.Current.CancellationToken);

            // The whole solution, so a test, bench or sample project that became packable shows up below.
            await RunAsync(root, "dotnet", ["pack", Path.Combine(root, "AntiEtcd.slnx"), "-c", configuration, "--no-build", "--no-restore", "-o", feed, "-nologo"]);
            var packages = Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
            var version = typeof(PackagingTests).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
            Assert.Equal(s_expectedPackages.Select(p => $"{p}.{version}.nupkg").Order(StringComparer.Ordinal), packages);

            foreach (var tool in new[] { "antietcd", "anticli" })
            {
                await RunAsync(work.FullName, "dotnet", ["tool", "install", tool, "--version", version, "--tool-path", tools,
                    "--configfile", config, "--add-source", feed, "--ignore-failed-sources"], packagesFolder);
            }

            var versionOutput = await RunAsync(work.FullName, Path.Combine(tools, "antietcd"), ["--version"]);
            Assert.StartsWith("antietcd-dotnet ", versionOutput, StringComparison.Ordinal);
            var help = await RunAsync(work.FullName, Path.Combine(tools, "anticli"), ["--help"]);
            Assert.Contains("Usage:", help, StringComparison.Ordinal);
            Assert.Contains("--endpoints", help, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string RepositoryRoot() => RepoPaths.Root;

    /// <summary>
    /// Runs a command to its end (at most 90 s) and returns its stdout; a non-zero exit fails the test with both outputs.
    /// <c>packagesFolder</c>, when set, is NuGet's global packages folder for the command: <c>dotnet tool install</c> must
    /// take the package just packed, never one of the same version cached by an earlier run.
    /// </summary>
    private static async Task<string> RunAsync(string directory, string file, string[] args, string? packagesFolder = null)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (packagesFolder is not null)
        {
            info.Environment["NUGET_PACKAGES"] = packagesFolder;
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}\nstdout: {output}\nstderr: {await stderr}");
        return output;
    }
}
