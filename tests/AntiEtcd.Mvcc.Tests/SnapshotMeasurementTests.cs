using System.Buffers;
using System.Diagnostics;
using AntiEtcd.Api;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>
/// The 1,000,000-key snapshot measurement quoted in docs/wal-format.md §8.2 (the capture on the loop, then the write). Explicit: it takes
/// seconds and a few hundred MB, and it reports numbers instead of asserting on them. Run with
/// <c>dotnet build tests/AntiEtcd.Mvcc.Tests -c Release</c>, then
/// <c>dotnet tests/AntiEtcd.Mvcc.Tests/bin/Release/net10.0/AntiEtcd.Mvcc.Tests.dll -class
/// AntiEtcd.Mvcc.Tests.SnapshotMeasurementTests -explicit only -showliveoutput</c> (the xunit
/// runner shows the output; <c>dotnet test</c> does not).
/// </summary>
public sealed class SnapshotMeasurementTests
{
    [Fact(Explicit = true)]
    public void MillionKeys_WriteAndRead()
    {
        const int keys = 1_000_000;
        var store = new MvccStore();
        for (var i = 0; i < keys; i++)
        {
            var value = new byte[100];
            BitConverter.TryWriteBytes(value, i);
            Assert.True(store.Put(new PutRequest { Key = System.Text.Encoding.ASCII.GetBytes($"key/{i:D8}"), Value = value }).IsOk);
        }

        Assert.True(store.Compact(store.Revision).IsOk);
        var output = TestContext.Current.TestOutputHelper!;
        for (var round = 0; round < 3; round++)
        {
            var buffer = new ArrayBufferWriter<byte>(keys * 128);
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            var view = store.CaptureSnapshot();
            var capture = watch.Elapsed;
            var captureAllocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            watch.Restart();
            view.Write(buffer, null);
            var write = watch.Elapsed;
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated - captureAllocated;
            watch.Restart();
            var restored = MvccStore.ReadSnapshot(buffer.WrittenSpan);
            var read = watch.Elapsed;
            Assert.Equal(store.HashKv(), restored.HashKv());
            var line = $"round {round}: {buffer.WrittenCount:N0} bytes; capture {capture.TotalMilliseconds:F0} ms ({captureAllocated:N0} bytes allocated); "
                + $"write {write.TotalMilliseconds:F0} ms ({allocated:N0} bytes allocated); read {read.TotalMilliseconds:F0} ms";
            output.WriteLine(line);
        }
    }
}
