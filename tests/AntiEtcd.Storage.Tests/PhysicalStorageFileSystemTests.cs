namespace AntiEtcd.Storage.Tests;

public sealed class PhysicalStorageFileSystemTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Files_append_truncate_sync_rename_and_list()
    {
        var fs = PhysicalStorageFileSystem.Instance;
        var path = _temp.Combine("f.tmp");
        using (var file = fs.CreateFile(path))
        {
            file.Append([1, 2, 3]);
            file.Append([4, 5]);
            Assert.Equal(5, file.Length);
            file.Truncate(4);
            file.Sync();
        }

        using (var file = fs.OpenFile(path))
        {
            Assert.Equal(4, file.Length);
            file.Append([9]);
        }

        fs.Rename(path, _temp.Combine("f"));
        fs.SyncDirectory(_temp.Path);
        Assert.Equal(["f"], fs.ListFiles(_temp.Path));
        Assert.Equal([1, 2, 3, 4, 9], fs.ReadAllBytes(_temp.Combine("f")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_temp.Combine("f")));
        }

        fs.DeleteFile(_temp.Combine("f"));
        fs.DeleteFile(_temp.Combine("f"));
        Assert.Empty(fs.ListFiles(_temp.Path));
    }

    [Fact]
    public void Directory_fsync_of_a_missing_directory_names_it()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "directory fsync is a no-op on Windows");
        var missing = _temp.Combine("missing");
        var ex = Assert.Throws<IOException>(() => PhysicalStorageFileSystem.Instance.SyncDirectory(missing));
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lock_is_exclusive_within_the_process()
    {
        var fs = PhysicalStorageFileSystem.Instance;
        var path = _temp.Combine("lock");
        var held = fs.LockFile(path);
        Assert.ThrowsAny<IOException>(() => fs.LockFile(path));
        held.Dispose();
        fs.LockFile(path).Dispose();
    }
}
