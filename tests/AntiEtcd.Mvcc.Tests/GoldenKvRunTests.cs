using AntiEtcd.Api;
using static AntiEtcd.Mvcc.Tests.Kv;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>
/// Re-enacts the write sequence of the etcd 3.4 golden run (shared/etcd-golden/kv, revisions 2-17)
/// and checks the store against the captured responses. Expected values are copied from the
/// captures so the test does not depend on files outside the repository.
/// </summary>
public sealed class GoldenKvRunTests
{
    private const long LeaseA = 7668682455519342092;

    private static MvccStore RunTo14(out List<string> headers)
    {
        var store = new MvccStore();
        store.LeaseGrant(LeaseA, 30);
        store.LeaseGrant(1000, 30);
        var seen = new List<string>();
        headers = seen;
        void Record(PutResponse r) => seen.Add($"{r.Header.Revision}" + (r.PrevKv is null ? "" : $" prev {Dump(r.PrevKv)}"));
        Record(store.Put("foo", "bar"));                                                                  // put-basic
        Record(store.Put("foo", "baz", prevKv: true));                                                    // put-prev_kv
        Record(store.Put("foo1", "1", prevKv: true));                                                     // put-prev_kv-newkey
        Record(store.Put("foo2", "2"));                                                                   // put-foo2
        Record(store.Put("fop", "fop"));                                                                  // put-fop
        Record(store.Put("empty", ""));                                                                   // put-empty-value
        Record(store.Put("leased", "x", lease: LeaseA));                                                  // put-with-lease
        Record(store.Put("leased2", "y", lease: 1000));                                                   // put-with-lease-as-number
        Record(store.Put(new PutRequest { Key = B("foo"), IgnoreValue = true, PrevKv = true }).Response!);                  // put-ignore_value
        Record(store.Put(new PutRequest { Key = B("leased"), Value = B("z"), IgnoreLease = true, PrevKv = true }).Response!); // put-ignore_lease
        Record(store.Put("unk", "bar"));
        Record(store.Put(new PutRequest { Key = new byte[] { 0xFF, 0xEF }, Value = new byte[] { 0, 1, 2 } }).Response!);      // put-base64-std-binary
        Record(store.Put("null", ""));                                                                    // put-null-fields
        return store;
    }

    [Fact]
    public void PutResponses_MatchTheCaptures()
    {
        RunTo14(out var headers);
        Assert.Equal(
            [
                "2", "3 prev foo=bar@2/2/1", "4", "5", "6", "7", "8", "9",
                "10 prev foo=baz@2/3/2", $"11 prev leased=x@8/8/1/L{LeaseA}", "12", "13", "14",
            ],
            headers);
    }

    [Fact]
    public void RangeAll_AtRevision14_MatchesTheCapture()
    {
        var store = RunTo14(out _);
        var all = store.All();
        Assert.Equal(14, all.Header.Revision);
        Assert.Equal(10, all.Count);
        Assert.Equal(
            $"empty=@7/7/1 foo=baz@2/10/3 foo1=1@4/4/1 foo2=2@5/5/1 fop=fop@6/6/1 leased=z@8/11/2/L{LeaseA} leased2=y@9/9/1/L1000 null=@14/14/1 unk=bar@12/12/1",
            all.Kvs.Take(9).Dump());
        var binary = all.Kvs[9];
        Assert.Equal(new byte[] { 0xFF, 0xEF }, binary.Key.ToArray());
        Assert.Equal(new byte[] { 0, 1, 2 }, binary.Value.ToArray());
        Assert.Equal(13, binary.ModRevision);
    }

    [Fact]
    public void DeletesAndOldReads_MatchTheCaptures()
    {
        var store = RunTo14(out _);
        Assert.Equal(2, store.Get("foo", revision: 2).Kvs[0].ModRevision);                           // range-revision-2
        Assert.Empty(store.Get("foo", revision: 1).Kvs);                                             // range-revision-1
        var deleted = store.Delete("foo2", prevKv: true);                                            // deleterange-prev_kv
        Assert.Equal("15 1 foo2=2@5/5/1", $"{deleted.Header.Revision} {deleted.Deleted} {deleted.PrevKvs.Dump()}");
        var missing = store.Delete("nope", prevKv: true);                                            // deleterange-missing
        Assert.Equal("15 0", $"{missing.Header.Revision} {missing.Deleted}");
        Assert.Equal(16, store.Put("foo2", "2").Header.Revision);                                    // put-restore-foo2
        var prefix = store.Delete("foo1", "foo3");                                                   // deleterange-prefix
        Assert.Equal("17 2", $"{prefix.Header.Revision} {prefix.Deleted}");
        var old = store.Get("foo1", "foo3", revision: 5);                                            // range-after-delete-at-old-rev
        Assert.Equal("foo1=1@4/4/1 foo2=2@5/5/1", old.Kvs.Dump());
        Assert.Equal(17, old.Header.Revision);
        Assert.Equal(2, old.Count);
    }
}
