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

        // Each fsync waits until its batch is waited for, so a batch is rarely done before its wait is registered (only
        // between the registration and the await). Once a continuation runs on the writer, the next batch is appended
        // there and cannot be written before that continuation waits again.
        using var gate = new SemaphoreSlim(0);
        fs.BeforeSync = _ => gate.Wait(TimeSpan.FromSeconds(10), ct);
        var resumedOn = await Task.Run(() => AppendOneByOneAsync(wal, sync, gate), ct);
        fs.BeforeSync = null;

        var first = resumedOn.IndexOf('W', StringComparison.Ordinal);
        Assert.True(first >= 0 && resumedOn[first..].All(c => c == 'W'), $"resumed on (W: writer, p: elsewhere): {resumedOn}");
        await Task.Run(async () => await wal.DisposeAsync(), ct);
        Assert.Equal(100, (await ReopenAsync(Dir, fs)).Entries.Count);
    }

    /// <summary>Like the Raft loop: append a batch, wait for it, carry on from wherever the wait resumed (no synchronization context, as in the server).</summary>
    /// <returns>Where each continuation resumed: W on the writer thread, p elsewhere.</returns>
    private static async Task<string> AppendOneByOneAsync(Wal wal, bool sync, SemaphoreSlim gate)
    {
        var resumedOn = new System.Text.StringBuilder();
        for (ulong i = 1; i <= 100; i++)
        {
            var sequence = wal.Append(RecordKind.Entry, i, Bytes($"e{i}"));
            var wait = wal.WaitOnWriterAsync(sequence, sync);
            gate.Release();
            await wait.ConfigureAwait(false);
            resumedOn.Append(Thread.CurrentThread.Name == "antietcd-wal" ? 'W' : 'p');
        }

        return resumedOn.ToString();
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
