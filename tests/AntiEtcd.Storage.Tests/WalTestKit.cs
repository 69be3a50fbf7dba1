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
