using System.Text;
using AntiEtcd.Api;
using Microsoft.Extensions.Time.Testing;

namespace AntiEtcd.Server.Tests;

/// <summary>SPEC §5 and §8.6 on one node, with a fake clock: nothing here sleeps.</summary>
public sealed class LeaseTests
{
    private static readonly CancellationToken s_ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Expired_lease_is_revoked_with_its_keys_at_one_revision()
    {
        var clock = new FakeTimeProvider();
        await using var node = await RunningServer.StartAsync(time: clock);
        var server = node.Server;
        var grant = await server.LeaseGrantAsync(new LeaseGrantRequest { Ttl = 5 }, null, s_ct);
        Assert.True(grant.Id > 0);
        Assert.Equal(5, grant.Ttl);
        await server.PutAsync(new PutRequest { Key = "a"u8.ToArray(), Lease = grant.Id }, null, s_ct);
        await server.PutAsync(new PutRequest { Key = "b"u8.ToArray(), Lease = grant.Id }, null, s_ct);
        Assert.Equal(3, (await server.RangeAsync("a", s_ct)).Header.Revision);

        clock.Advance(TimeSpan.FromSeconds(4));
        var ttl = await server.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { Id = grant.Id, Keys = true }, null, s_ct);
        Assert.Equal(1, ttl.Ttl);
        Assert.Equal(5, ttl.GrantedTtl);
        Assert.Equal(["a", "b"], ttl.Keys.Select(k => Encoding.UTF8.GetString(k.Span)));

        clock.Advance(TimeSpan.FromSeconds(2));
        await WaitUntilAsync(clock, async () => (await server.LeaseLeasesAsync(null, s_ct)).Leases.Count == 0);
        var all = await server.RangeAsync(new RangeRequest { Key = new byte[] { 0 }, RangeEnd = new byte[] { 0 } }, null, s_ct);
        Assert.Empty(all.Kvs);
        Assert.Equal(4, all.Header.Revision);
    }

    [Fact]
    public async Task Keepalive_renews_and_never_revives()
    {
        var clock = new FakeTimeProvider();
        await using var node = await RunningServer.StartAsync(time: clock);
        var server = node.Server;
        await server.LeaseGrantAsync(new LeaseGrantRequest { Id = 7, Ttl = 3 }, null, s_ct);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(3, (await server.LeaseKeepAliveAsync(new LeaseKeepAliveRequest { Id = 7 }, null, s_ct)).Ttl);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, (await server.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { Id = 7 }, null, s_ct)).Ttl);

        // Past the deadline a keepalive answers TTL 0 (the lease is gone), whether or not the
        // expiry check has run yet.
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(0, (await server.LeaseKeepAliveAsync(new LeaseKeepAliveRequest { Id = 7 }, null, s_ct)).Ttl);
        Assert.Equal(-1, (await server.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { Id = 7 }, null, s_ct)).Ttl);
    }

    [Fact]
    public async Task Ttl_is_raised_to_the_minimum_and_validated()
    {
        await using var node = await RunningServer.StartAsync(o => o.ElectionTimeout = 3000);
        var server = node.Server;
        // max(2, ceil(1.5 × 3000 / 1000)) = 5 (SPEC §5.1).
        Assert.Equal(5, (await server.LeaseGrantAsync(new LeaseGrantRequest { Id = 1, Ttl = 0 }, null, s_ct)).Ttl);
        Assert.Equal(5, (await server.LeaseGrantAsync(new LeaseGrantRequest { Id = 2, Ttl = -4 }, null, s_ct)).Ttl);
        var tooLarge = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => server.LeaseGrantAsync(new LeaseGrantRequest { Ttl = 9_000_000_001 }, null, s_ct));
        Assert.Equal((400, 11, "etcdserver: too large lease TTL"), (tooLarge.Code, tooLarge.GrpcCode, tooLarge.Message));
        var negative = await Assert.ThrowsAsync<AntiEtcdRequestException>(() => server.LeaseGrantAsync(new LeaseGrantRequest { Id = -1, Ttl = 5 }, null, s_ct));
        Assert.Equal((400, 3, "etcdserver: lease ID must not be negative"), (negative.Code, negative.GrpcCode, negative.Message));
    }

    [Fact]
    public async Task Put_without_lease_detaches_and_revoke_of_keyless_lease_keeps_revision()
    {
        await using var node = await RunningServer.StartAsync();
        var server = node.Server;
        await server.LeaseGrantAsync(new LeaseGrantRequest { Id = 9, Ttl = 60 }, null, s_ct);
        await server.PutAsync(new PutRequest { Key = "k"u8.ToArray(), Lease = 9 }, null, s_ct);
        await server.PutAsync(new PutRequest { Key = "k"u8.ToArray() }, null, s_ct);
        var revoke = await server.LeaseRevokeAsync(new LeaseRevokeRequest { Id = 9 }, null, s_ct);
        Assert.Equal(3, revoke.Header.Revision);
        Assert.Single((await server.RangeAsync("k", s_ct)).Kvs);
    }

    /// <summary>
    /// Awaits a condition while moving the fake clock on in small steps: the expiry loop may
    /// create its next timer just after an advance, and then only a later advance fires it.
    /// </summary>
    private static async Task WaitUntilAsync(FakeTimeProvider clock, Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            Assert.False(deadline.IsCancellationRequested, "condition not reached within 10 s");
            clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(5, s_ct);
        }
    }
}
