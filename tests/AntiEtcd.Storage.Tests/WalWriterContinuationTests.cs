using static AntiEtcd.Storage.Tests.WalTestKit;

namespace AntiEtcd.Storage.Tests;

/// <summary><see cref="Wal.WaitOnWriterAsync"/>: the continuation runs on the writer thread, and may append and wait again from there.</summary>
public sealed class WalWriterContinuationTests
{
    private const string Dir = "/data/wal";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_writer_that_appends_from_its_continuation_runs_batch_after_batch_on_the_writer_thread(bool sync)
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var (wal, _) = await Wal.OpenAsync(Dir, null, fs, null, ct);
        var onWriter = 0;
        for (ulong i = 1; i <= 100; i++)
        {
            // Like the Raft loop: append a batch, wait for it, carry on from wherever the wait resumed.
            var sequence = wal.Append(RecordKind.Entry, i, Bytes($"e{i}"));
            await wal.WaitOnWriterAsync(sequence, sync);
            if (i > 1 && Thread.CurrentThread.Name == "antietcd-wal")
            {
                onWriter++;
            }
        }

        // From the second batch on, each was appended on the writer thread, which wrote it only once the continuation
        // waited again: so every continuation resumed there. (The first one may find its batch already written.)
        Assert.Equal(99, onWriter);
        await Task.Run(async () => await wal.DisposeAsync(), ct);
        Assert.Equal(100, (await ReopenAsync(Dir, fs)).Entries.Count);
    }

    [Fact]
    public async Task A_failed_wal_fails_the_waiter_on_the_writer_thread()
    {
        var ct = TestContext.Current.CancellationToken;
        var fs = new MemoryStorageFileSystem();
        var (wal, _) = await Wal.OpenAsync(Dir, null, fs, null, ct);
        fs.SyncError = new IOException("injected EIO");
        var sequence = wal.Append(RecordKind.Entry, 1, Bytes("e1"));
        await Assert.ThrowsAsync<StorageFailedException>(() => wal.WaitOnWriterAsync(sequence, sync: true));
        await Task.Run(async () => await wal.DisposeAsync(), ct);
    }
}
