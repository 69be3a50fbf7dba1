using System.Text;

namespace AntiEtcd.Storage.Tests;

internal static class WalTestKit
{
    public static string SegmentPath(string directory, ulong sequence) => Path.Combine(directory, $"wal-{sequence:x16}.log");

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    public static byte[] RandomPayload(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] |= 1; // never a zero byte, so no sector of it can read as "never written"
        }

        return bytes;
    }

    public static async Task<WalRecovery> ReopenAsync(string directory, IStorageFileSystem? fileSystem = null, WalOptions? options = null)
    {
        var (wal, recovery) = await Wal.OpenAsync(directory, options, fileSystem, null, TestContext.Current.CancellationToken);
        await wal.DisposeAsync();
        return recovery;
    }

    /// <summary>
    /// Opens the WAL in <paramref name="directory"/>, whose newest segment ended in zeros: all <paramref name="entries"/>
    /// entries are there, nothing is reported torn, the segment is cut to <paramref name="dataEnd"/>, and one more entry
    /// reads back after a reopen (docs/wal-format.md §3).
    /// </summary>
    public static async Task AssertZeroTailCutAsync(string directory, int entries, long dataEnd)
    {
        var ct = TestContext.Current.CancellationToken;
        var (wal, recovery) = await Wal.OpenAsync(directory, null, null, null, ct);
        Assert.Equal(entries, recovery.Entries.Count);
        Assert.Null(recovery.TornTail);
        Assert.Empty(recovery.Warnings);
        Assert.Equal(dataEnd, new FileInfo(SegmentPath(directory, 1)).Length);
        await wal.AppendAsync(RecordKind.Entry, (ulong)entries + 1, Bytes("after"), ct);
        await wal.DisposeAsync();
        var again = await ReopenAsync(directory);
        Assert.Equal((ulong)entries + 1, again.LastIndex);
        Assert.Equal("after", Text(again.Entries[^1].Payload));
    }

    public static string[] EntryTexts(WalRecovery recovery)
    {
        var texts = new string[recovery.Entries.Count];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = $"{recovery.Entries[i].Index}:{Text(recovery.Entries[i].Payload)}";
        }

        return texts;
    }
}
