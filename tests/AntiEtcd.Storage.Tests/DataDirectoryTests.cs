namespace AntiEtcd.Storage.Tests;

/// <summary>SPEC §9.1 on the real file system (modes, locks and messages are what users see).</summary>
public sealed class DataDirectoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_missing_path_is_created_as_a_private_directory_with_its_parents()
    {
        var path = _temp.Combine("a", "b", "data");
        using var dir = DataDirectory.Open(path, "n1", 77);
        Assert.True(Directory.Exists(path));
        Assert.True(dir.IsNew);
        Assert.Empty(dir.Warnings);
        Assert.True(Directory.Exists(dir.WalDirectory));
        Assert.True(Directory.Exists(dir.SnapshotDirectory));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
        }

        Assert.Equal("1\n", File.ReadAllText(Path.Combine(path, "version")));
        Assert.Equal("node_id=n1\ncluster_id=77\n", File.ReadAllText(Path.Combine(path, "identity")));
    }

    [Theory]
    [InlineData("state.gz")]
    [InlineData("state.json")]
    public void A_missing_path_named_like_an_original_data_file_is_created_with_a_warning(string name)
    {
        var path = _temp.Combine(name);
        using var dir = DataDirectory.Open(path, "n1", 1);
        Assert.True(Directory.Exists(path));
        Assert.Equal(
            [$"--data {path}: created a directory; the original antietcd data file format is not used (to migrate a data file, use --import_antietcd FILE)"],
            dir.Warnings);
    }

    [Fact]
    public void An_existing_regular_file_is_refused()
    {
        var path = _temp.Combine("antietcd.json.gz");
        File.WriteAllBytes(path, [0x1F, 0x8B]);
        var ex = Assert.Throws<DataDirectoryException>(() => DataDirectory.Open(path, "n1", 1));
        Assert.Equal("--data must be a directory; to migrate an antietcd data file use --import_antietcd FILE", ex.Message);
    }

    [Fact]
    public void A_second_open_is_refused_until_the_first_is_disposed()
    {
        var path = _temp.Combine("data");
        var first = DataDirectory.Open(path, "n1", 1);
        var ex = Assert.Throws<DataDirectoryException>(() => DataDirectory.Open(path, "n1", 1));
        Assert.Equal("data directory is locked by another process", ex.Message);
        first.Dispose();
        using var again = DataDirectory.Open(path, "n1", 1);
        Assert.False(again.IsNew);
    }

    [Fact]
    public async Task The_lock_excludes_other_processes()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/flock"), "needs flock(1)");
        var path = _temp.Combine("data");
        var lockFile = Path.Combine(path, "lock");
        using (DataDirectory.Open(path, "n1", 1))
        {
            Assert.NotEqual(0, await RunFlockAsync(lockFile));
        }

        Assert.Equal(0, await RunFlockAsync(lockFile));
    }

    private static async Task<int> RunFlockAsync(string lockFile)
    {
        using var process = System.Diagnostics.Process.Start("/usr/bin/flock", ["--nonblock", "--exclusive", lockFile, "true"]);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return process.ExitCode;
    }

    [Fact]
    public void A_different_identity_is_refused_naming_the_stored_one()
    {
        var path = _temp.Combine("data");
        DataDirectory.Open(path, "alpha", 12345678901234567890).Dispose();
        var ex = Assert.Throws<DataDirectoryException>(() => DataDirectory.Open(path, "beta", 12345678901234567890));
        Assert.Equal("data directory belongs to node alpha of cluster 12345678901234567890", ex.Message);
        ex = Assert.Throws<DataDirectoryException>(() => DataDirectory.Open(path, "alpha", 1));
        Assert.Equal("data directory belongs to node alpha of cluster 12345678901234567890", ex.Message);

        using var ok = DataDirectory.Open(path, "alpha", 12345678901234567890); // the refusals released the lock
    }

    [Fact]
    public void A_newer_format_version_is_refused()
    {
        var path = _temp.Combine("data");
        DataDirectory.Open(path, "n1", 1).Dispose();
        File.WriteAllText(Path.Combine(path, "version"), "2\n");
        var ex = Assert.Throws<DataDirectoryException>(() => DataDirectory.Open(path, "n1", 1));
        Assert.Equal("data directory format version 2 is newer than this antietcd supports (1)", ex.Message);

        File.WriteAllText(Path.Combine(path, "version"), "x");
        ex = Assert.Throws<DataDirectoryException>(() => DataDirectory.Open(path, "n1", 1));
        Assert.Equal($"{Path.Combine(path, "version")}: not a data directory format version", ex.Message);
    }

    [Fact]
    public void Flags_are_durable_and_survive_a_reopen()
    {
        var path = _temp.Combine("data");
        using (var dir = DataDirectory.Open(path, "n1", 1))
        {
            Assert.False(dir.HasFlag("filtered"));
            dir.SetFlag("filtered");
            dir.SetFlag("import-pending");
            dir.ClearFlag("import-pending");
            Assert.Throws<ArgumentException>(() => dir.SetFlag("Bad Name"));
        }

        using var reopened = DataDirectory.Open(path, "n1", 1);
        Assert.True(reopened.HasFlag("filtered"));
        Assert.False(reopened.HasFlag("import-pending"));
    }

    [Fact]
    public void A_crash_after_creation_keeps_identity_and_version_in_the_memory_model()
    {
        var fs = new MemoryStorageFileSystem();
        DataDirectory.Open("/d", "n1", 5, fs).Dispose();
        fs.Crash();
        using var dir = DataDirectory.Open("/d", "n1", 5, fs);
        Assert.False(dir.IsNew);
        Assert.Throws<DataDirectoryException>(() => DataDirectory.Open("/d", "n1", 5, fs));
    }
}
