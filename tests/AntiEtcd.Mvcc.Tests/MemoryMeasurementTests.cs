using AntiEtcd.Api;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>
/// The heap a store takes per key, quoted in docs/benchmarks.md (durable put, restart RSS) and
/// src/AntiEtcd.Mvcc/README.md. Explicit: it takes seconds and a few hundred MB, and it reports
/// numbers instead of asserting on them. Run with <c>dotnet build tests/AntiEtcd.Mvcc.Tests -c
/// Release</c>, then <c>dotnet tests/AntiEtcd.Mvcc.Tests/bin/Release/net10.0/AntiEtcd.Mvcc.Tests.dll
/// -class AntiEtcd.Mvcc.Tests.MemoryMeasurementTests -explicit only -showliveoutput</c>.
/// </summary>
public sealed class MemoryMeasurementTests
{
    [Fact(Explicit = true)]
    public void MillionKeys_HeapPerKey()
    {
        // The restart benchmark's data: 16-byte keys, 100-byte values, written in ascending order.
        const int keys = 1_000_000;
        var output = TestContext.Current.TestOutputHelper!;
        var empty = GC.GetTotalMemory(forceFullCollection: true);
        var store = new MvccStore();
        for (var i = 0; i < keys; i++)
        {
            var value = new byte[100];
            BitConverter.TryWriteBytes(value, i);
            Assert.True(store.Put(new PutRequest { Key = System.Text.Encoding.ASCII.GetBytes($"bench/key/{i:D6}"), Value = value }).IsOk);
        }

        var withEvents = GC.GetTotalMemory(forceFullCollection: true) - empty;
        Assert.True(store.Compact(store.Revision).IsOk);
        var compacted = GC.GetTotalMemory(forceFullCollection: true) - empty;
        output.WriteLine($"{keys:N0} keys of 16 + 100 bytes: {withEvents:N0} bytes with every put's event retained ({withEvents / (double)keys:F1} per key); " +
                         $"{compacted:N0} after compaction to the current revision ({compacted / (double)keys:F1} per key)");
        GC.KeepAlive(store);
    }
}
