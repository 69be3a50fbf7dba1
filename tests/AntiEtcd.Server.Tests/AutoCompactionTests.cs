namespace AntiEtcd.Server.Tests;

/// <summary>SPEC §2.5: automatic compaction keeps <c>compact_revisions</c> of history.</summary>
public sealed class AutoCompactionTests
{
    [Fact]
    public async Task History_is_compacted_once_twice_the_kept_revisions_accumulate()
    {
        await using var node = await RunningServer.StartAsync(o => o.CompactRevisions = 10);
        var server = node.Server;
        for (var i = 0; i < 18; i++)
        {
            await server.PutAsync("k", i.ToString(System.Globalization.CultureInfo.InvariantCulture), TestContext.Current.CancellationToken);
        }

        // Revision 19: 19 − 0 < 2 × 10, nothing yet. The next write makes it 20 ≥ 2 × 10, which
        // triggers a compaction to 20 − 10.
        Assert.Equal(0, (await server.StatusAsync(TestContext.Current.CancellationToken)).CompactRevision);
        await server.PutAsync("k", "x", TestContext.Current.CancellationToken);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long compact;
        while ((compact = (await server.StatusAsync(TestContext.Current.CancellationToken)).CompactRevision) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no automatic compaction");
            await Task.Yield();
        }

        Assert.Equal(10, compact);
        var error = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => server.RangeAsync(new AntiEtcd.Api.RangeRequest { Key = "k"u8.ToArray(), Revision = 9 }, null, TestContext.Current.CancellationToken));
        Assert.Equal(10, error.CompactRevision);
        Assert.Single((await server.RangeAsync(new AntiEtcd.Api.RangeRequest { Key = "k"u8.ToArray(), Revision = 10 }, null, TestContext.Current.CancellationToken)).Kvs);
    }

    [Fact]
    public async Task Zero_turns_automatic_compaction_off()
    {
        await using var node = await RunningServer.StartAsync(o => o.CompactRevisions = 0);
        for (var i = 0; i < 50; i++)
        {
            await node.Server.PutAsync("k", "v", TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, (await node.Server.StatusAsync(TestContext.Current.CancellationToken)).CompactRevision);
        Assert.Single((await node.Server.RangeAsync(new AntiEtcd.Api.RangeRequest { Key = "k"u8.ToArray(), Revision = 2 }, null, TestContext.Current.CancellationToken)).Kvs);
    }
}
