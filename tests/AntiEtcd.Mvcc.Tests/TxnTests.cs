using AntiEtcd.Api;
using static AntiEtcd.Mvcc.Tests.Kv;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>SPEC §4.4 execution: compares, branches, sub-headers, all-or-nothing.</summary>
public sealed class TxnTests
{
    private static MvccStore WithT1()
    {
        var store = new MvccStore();
        store.Put("t1", "v1"); // 2
        store.Put("t1", "v2"); // 3
        return store;
    }

    [Fact]
    public void EmptyTxn_SucceedsAndChangesNothing()
    {
        var store = WithT1();
        var response = store.TxnOk(new TxnRequest());
        Assert.True(response.Succeeded);
        Assert.Empty(response.Responses);
        Assert.Equal(3, response.Header.Revision);
        Assert.Equal(3, store.Revision);
    }

    [Theory]
    [InlineData(CompareTarget.Version, CompareResult.Equal, 0, true)]
    [InlineData(CompareTarget.Version, CompareResult.Greater, 0, false)]
    [InlineData(CompareTarget.Create, CompareResult.Equal, 0, true)]
    [InlineData(CompareTarget.Mod, CompareResult.Equal, 0, true)]
    [InlineData(CompareTarget.Mod, CompareResult.Greater, 0, false)]
    [InlineData(CompareTarget.Mod, CompareResult.Less, 1, true)]
    [InlineData(CompareTarget.Lease, CompareResult.Equal, 0, true)]
    [InlineData(CompareTarget.Version, CompareResult.NotEqual, 0, false)]
    public void CompareOnAbsentKey_ComparesAZeroKeyValue(CompareTarget target, CompareResult result, long reference, bool expected)
    {
        var store = WithT1();
        Assert.Equal(expected, store.TxnOk(new TxnRequest { Compare = [Cmp("nope", target, result, reference)] }).Succeeded);
    }

    [Theory]
    [InlineData(CompareResult.Equal)]
    [InlineData(CompareResult.NotEqual)]
    [InlineData(CompareResult.Greater)]
    [InlineData(CompareResult.Less)]
    public void ValueCompareOnAbsentKey_IsFalse(CompareResult result)
    {
        Assert.False(WithT1().TxnOk(new TxnRequest { Compare = [Cmp("nope", CompareTarget.Value, result, value: "")] }).Succeeded);
    }

    [Fact]
    public void ModEqualZero_IsTrueForDeletedKey_AndVersionEqualZeroToo()
    {
        var store = WithT1();
        store.Delete("t1");
        Assert.True(store.TxnOk(new TxnRequest { Compare = [Cmp("t1", CompareTarget.Mod, CompareResult.Equal, 0)] }).Succeeded);
        Assert.True(store.TxnOk(new TxnRequest { Compare = [Cmp("t1", CompareTarget.Version, CompareResult.Equal, 0)] }).Succeeded);
    }

    [Theory]
    [InlineData(CompareTarget.Version, CompareResult.Less, 5, true)]
    [InlineData(CompareTarget.Version, CompareResult.Greater, 5, false)]
    [InlineData(CompareTarget.Version, CompareResult.Equal, 2, true)]
    [InlineData(CompareTarget.Create, CompareResult.Less, 100000, true)]
    [InlineData(CompareTarget.Create, CompareResult.Greater, 100000, false)]
    [InlineData(CompareTarget.Mod, CompareResult.Equal, 3, true)]
    [InlineData(CompareTarget.Mod, CompareResult.Equal, 2, false)]
    [InlineData(CompareTarget.Mod, CompareResult.NotEqual, 2, true)]
    [InlineData(CompareTarget.Lease, CompareResult.Equal, 0, true)]
    public void IntegerCompares_OnPresentKey(CompareTarget target, CompareResult result, long reference, bool expected)
    {
        Assert.Equal(expected, WithT1().TxnOk(new TxnRequest { Compare = [Cmp("t1", target, result, reference)] }).Succeeded);
    }

    [Theory]
    [InlineData(CompareResult.Equal, "v2", true)]
    [InlineData(CompareResult.Equal, "v1", false)]
    [InlineData(CompareResult.Greater, "v1", true)]
    [InlineData(CompareResult.Greater, "v2", false)]
    [InlineData(CompareResult.Less, "v3", true)]
    [InlineData(CompareResult.Less, "v2\0", true)]
    [InlineData(CompareResult.NotEqual, "v1", true)]
    public void ValueCompares_AreBytewise(CompareResult result, string reference, bool expected)
    {
        Assert.Equal(expected, WithT1().TxnOk(new TxnRequest { Compare = [Cmp("t1", CompareTarget.Value, result, value: reference)] }).Succeeded);
    }

    [Fact]
    public void ValueCompare_UsesUnsignedBytes()
    {
        var store = new MvccStore();
        store.Put(new PutRequest { Key = B("k"), Value = new byte[] { 0xFF } });
        var compare = new Compare { Key = B("k"), Target = CompareTarget.Value, Result = CompareResult.Greater, Value = new byte[] { 0x7F } };
        Assert.True(store.TxnOk(new TxnRequest { Compare = [compare] }).Succeeded);
    }

    [Fact]
    public void RangeCompare_EveryKeyMustSatisfy()
    {
        var store = new MvccStore();
        store.Put("t1", "x");
        store.Put("t2", "x");
        store.Put("t3", "y");
        Assert.True(store.TxnOk(new TxnRequest { Compare = [Cmp("t", CompareTarget.Version, CompareResult.Greater, 0, rangeEnd: "u")] }).Succeeded);
        Assert.False(store.TxnOk(new TxnRequest { Compare = [Cmp("t", CompareTarget.Value, CompareResult.Equal, value: "x", rangeEnd: "u")] }).Succeeded);
        Assert.True(store.TxnOk(new TxnRequest { Compare = [Cmp("t", CompareTarget.Value, CompareResult.Equal, value: "x", rangeEnd: "t3")] }).Succeeded);
        Assert.True(store.TxnOk(new TxnRequest { Compare = [Cmp("t2", CompareTarget.Mod, CompareResult.Greater, 2, rangeEnd: "\0")] }).Succeeded);
    }

    [Fact]
    public void MultipleCompares_AllMustHold()
    {
        var store = WithT1();
        store.Put("t2", "v1");
        var response = store.TxnOk(new TxnRequest
        {
            Compare = [Cmp("t1", CompareTarget.Version, CompareResult.Greater, 0), Cmp("t1", CompareTarget.Value, CompareResult.Equal, value: "xxx")],
            Success = [OpGet("t1")],
            Failure = [OpGet("t2")],
        });
        Assert.False(response.Succeeded);
        Assert.Equal("t2", response.Responses[0].ResponseRange!.Keys());
    }

    [Fact]
    public void CreateIfAbsent_SucceedsOnceThenFails()
    {
        var store = WithT1();
        var txn = new TxnRequest
        {
            Compare = [Cmp("new", CompareTarget.Version, CompareResult.Equal, 0)],
            Success = [OpPut("new", "1")],
            Failure = [OpGet("new")],
        };
        var first = store.TxnOk(txn);
        Assert.True(first.Succeeded);
        Assert.Equal(4, first.Header.Revision);
        Assert.Equal(4, first.Responses[0].ResponsePut!.Header.Revision);
        var second = store.TxnOk(txn);
        Assert.False(second.Succeeded);
        Assert.Equal(4, second.Header.Revision);
        Assert.Equal("new=1@4/4/1", second.Responses[0].ResponseRange!.Kvs.Dump());
    }

    [Fact]
    public void SubHeaders_RangeBeforeWriteIsR0_WritesAreR0Plus1()
    {
        // Golden txn/create-greater-failure: range then put in the failure branch.
        var store = WithT1();
        var response = store.TxnOk(new TxnRequest
        {
            Compare = [Cmp("t1", CompareTarget.Create, CompareResult.Greater, 100000)],
            Success = [OpPut("t1", "x")],
            Failure = [OpGet("t1"), OpPut("t3", "v1")],
        });
        Assert.False(response.Succeeded);
        Assert.Equal(4, response.Header.Revision);
        Assert.Equal(3, response.Responses[0].ResponseRange!.Header.Revision);
        Assert.Equal(4, response.Responses[1].ResponsePut!.Header.Revision);
    }

    [Fact]
    public void SubHeaders_AfterAChange_RangeAndEmptyDeleteAreR0Plus1()
    {
        // Golden txn/mod-equal-success-nested: put, range, delete of a missing key, put.
        var store = new MvccStore();
        store.Put("t1", "v1"); // 2
        var response = store.TxnOk(new TxnRequest
        {
            Compare = [Cmp("t1", CompareTarget.Mod, CompareResult.Equal, 2)],
            Success = [OpPut("t1", "v2", prevKv: true), OpGet("t1"), OpDelete("t0", prevKv: true), OpPut("t2", "v1")],
            Failure = [OpGet("t1")],
        });
        Assert.True(response.Succeeded);
        Assert.Equal(3, response.Header.Revision);
        Assert.Equal("t1=v1@2/2/1", Dump(response.Responses[0].ResponsePut!.PrevKv!));
        Assert.Equal(3, response.Responses[0].ResponsePut!.Header.Revision);
        Assert.Equal("t1=v2@2/3/2", response.Responses[1].ResponseRange!.Kvs.Dump());
        Assert.Equal(3, response.Responses[1].ResponseRange!.Header.Revision);
        Assert.Equal(0, response.Responses[2].ResponseDeleteRange!.Deleted);
        Assert.Equal(3, response.Responses[2].ResponseDeleteRange!.Header.Revision);
        Assert.Equal(3, response.Responses[3].ResponsePut!.Header.Revision);
        Assert.Equal("Put:t1=v2@2/3/2<t1=v1@2/2/1 Put:t2=v1@3/3/1", store.LastEvents.Dump());
    }

    [Fact]
    public void SubHeaders_DeleteThatMatchesNothingFirst_IsR0_DeleteThatDeletes_IsR0Plus1()
    {
        var store = WithT1();
        var response = store.TxnOk(new TxnRequest { Success = [OpDelete("nope"), OpGet("t1"), OpDelete("t1", prevKv: true), OpGet("t1")] });
        Assert.Equal(3, response.Responses[0].ResponseDeleteRange!.Header.Revision);
        Assert.Equal(3, response.Responses[1].ResponseRange!.Header.Revision);
        Assert.Equal(4, response.Responses[2].ResponseDeleteRange!.Header.Revision);
        Assert.Equal("t1", response.Responses[2].ResponseDeleteRange!.PrevKvs.Keys());
        Assert.Equal(4, response.Responses[3].ResponseRange!.Header.Revision);
        Assert.Empty(response.Responses[3].ResponseRange!.Kvs);
        Assert.Equal(4, response.Header.Revision);
    }

    [Fact]
    public void TxnWithoutChanges_KeepsRevision_AndHasNoEvents()
    {
        var store = WithT1();
        store.Put("x", "1"); // sets LastEvents
        var response = store.TxnOk(new TxnRequest { Success = [OpGet("t1"), OpDelete("nope")] });
        Assert.Equal(4, response.Header.Revision);
        Assert.Equal(4, store.Revision);
        Assert.Empty(store.LastEvents);
        Assert.Equal(4, response.Responses[0].ResponseRange!.Header.Revision);
        Assert.Equal(4, response.Responses[1].ResponseDeleteRange!.Header.Revision);
    }

    [Fact]
    public void RangeOp_SeesEarlierWritesOfTheSameTxn()
    {
        var store = WithT1();
        var response = store.TxnOk(new TxnRequest { Success = [OpPut("a", "1"), OpPut("b", "2"), OpGet("a", "c"), OpDelete("t1"), OpGet("t1")] });
        Assert.Equal("a=1@4/4/1 b=2@4/4/1", response.Responses[2].ResponseRange!.Kvs.Dump());
        Assert.Equal(2, response.Responses[2].ResponseRange!.Count);
        Assert.Empty(response.Responses[4].ResponseRange!.Kvs);
    }

    [Fact]
    public void RangeOp_AtExplicitRevisionR0_SeesStateBeforeTheTxn()
    {
        var store = WithT1();
        var response = store.TxnOk(new TxnRequest { Success = [OpPut("t1", "v3"), OpGet("t1", revision: 3), OpGet("t1", revision: 2)] });
        Assert.Equal("t1=v2@2/3/2", response.Responses[1].ResponseRange!.Kvs.Dump());
        Assert.Equal("t1=v1@2/2/1", response.Responses[2].ResponseRange!.Kvs.Dump());
    }

    [Fact]
    public void RangeOp_AtTheTxnsOwnRevision_IsFuture()
    {
        var store = WithT1();
        var result = store.Txn(new TxnRequest { Success = [OpPut("a", "1"), OpGet("a", revision: 4)] });
        Assert.Equal(MvccStatus.FutureRevision, result.Status);
        Assert.Equal(3, store.Revision);
        Assert.Empty(store.Get("a").Kvs);
    }

    [Fact]
    public void RangeOp_AtCompactedRevision_FailsTheWholeTxn()
    {
        var store = WithT1();
        store.Compact(3);
        Assert.Equal(MvccStatus.Compacted, store.Txn(new TxnRequest { Success = [OpPut("a", "1"), OpGet("t1", revision: 2)] }).Status);
        Assert.Equal(3, store.Revision);
        Assert.Equal(0, store.Get("a").Count);
    }

    [Fact]
    public void PutWithUnknownLease_AfterOtherOps_LeavesNothingApplied()
    {
        var store = WithT1();
        var result = store.Txn(new TxnRequest { Success = [OpPut("a", "1"), OpDelete("t1"), OpPut("x", "1", lease: 424242)] });
        Assert.Equal(MvccStatus.LeaseNotFound, result.Status);
        Assert.Equal(3, store.Revision);
        Assert.Equal("t1", store.All().Keys());
        Assert.Empty(store.LastEvents);
        store.CheckConsistency();
    }

    [Fact]
    public void PutChecks_ComeBeforeRangeChecks()
    {
        var store = WithT1();
        var result = store.Txn(new TxnRequest { Success = [OpGet("t1", revision: 99), OpPut("x", "1", lease: 5)] });
        Assert.Equal(MvccStatus.LeaseNotFound, result.Status);
    }

    [Fact]
    public void IgnoreValueInTxn_OnMissingKey_IsKeyNotFound()
    {
        var store = WithT1();
        var op = new RequestOp { RequestPut = new PutRequest { Key = B("nope"), IgnoreValue = true } };
        Assert.Equal(MvccStatus.KeyNotFound, store.Txn(new TxnRequest { Success = [OpPut("a", "1"), op] }).Status);
        Assert.Equal(3, store.Revision);
    }

    [Fact]
    public void StateChecks_OnlyOnTheChosenPath()
    {
        var store = WithT1();
        var response = store.TxnOk(new TxnRequest
        {
            Compare = [Cmp("t1", CompareTarget.Version, CompareResult.Equal, 2)],
            Success = [OpPut("a", "1")],
            Failure = [OpPut("b", "1", lease: 777), OpGet("t1", revision: 99)],
        });
        Assert.True(response.Succeeded);
    }

    [Fact]
    public void NestedTxn_MatchesGoldenCapture()
    {
        // Golden txn/nested-txn.
        var store = WithT1();
        var response = store.TxnOk(new TxnRequest
        {
            Success =
            [
                OpTxn(new TxnRequest
                {
                    Compare = [Cmp("t1", CompareTarget.Value, CompareResult.Equal, value: "v2")],
                    Success = [OpPut("nested", "1"), OpGet("nested")],
                }),
                OpGet("t1"),
            ],
        });
        Assert.True(response.Succeeded);
        Assert.Equal(4, response.Header.Revision);
        var nested = response.Responses[0].ResponseTxn!;
        Assert.Equal(0, nested.Header.Revision);
        Assert.True(nested.Succeeded);
        Assert.Equal(4, nested.Responses[0].ResponsePut!.Header.Revision);
        Assert.Equal("nested=1@4/4/1", nested.Responses[1].ResponseRange!.Kvs.Dump());
        Assert.Equal(4, nested.Responses[1].ResponseRange!.Header.Revision);
        Assert.Equal(4, response.Responses[1].ResponseRange!.Header.Revision);
    }

    [Fact]
    public void NestedCompares_SeeTheStateBeforeTheTxn()
    {
        var store = WithT1();
        var response = store.TxnOk(new TxnRequest
        {
            Success =
            [
                OpPut("k", "new"),
                OpTxn(new TxnRequest
                {
                    Compare = [Cmp("k", CompareTarget.Version, CompareResult.Equal, 0)],
                    Success = [OpPut("saw", "absent")],
                    Failure = [OpPut("saw", "present")],
                }),
            ],
        });
        Assert.True(response.Responses[1].ResponseTxn!.Succeeded);
        Assert.Equal("saw=absent@4/4/1", store.Get("saw").Kvs.Dump());
    }

    [Fact]
    public void NestedFailureBranch_Runs_AndItsStateChecksCount()
    {
        var store = WithT1();
        var txn = new TxnRequest
        {
            Success =
            [
                OpTxn(new TxnRequest
                {
                    Compare = [Cmp("t1", CompareTarget.Version, CompareResult.Equal, 99)],
                    Success = [OpPut("a", "1", lease: 5)],
                    Failure = [OpPut("a", "2")],
                }),
            ],
        };
        var response = store.TxnOk(txn);
        Assert.False(response.Responses[0].ResponseTxn!.Succeeded);
        Assert.Equal("a=2@4/4/1", store.Get("a").Kvs.Dump());
        txn.Success[0].RequestTxn!.Compare = [];
        Assert.Equal(MvccStatus.LeaseNotFound, store.Txn(txn).Status);
    }

    [Fact]
    public void ReadOnlyTxn_ChangesNothing_AndIsReadOnly()
    {
        var store = WithT1();
        var txn = new TxnRequest { Compare = [Cmp("t1", CompareTarget.Version, CompareResult.Equal, 2)], Success = [OpGet("t1")] };
        Assert.True(RequestValidator.IsReadOnly(txn));
        var response = store.TxnOk(txn);
        Assert.Equal(3, response.Header.Revision);
        Assert.Equal(3, response.Responses[0].ResponseRange!.Header.Revision);
    }

    [Fact]
    public void TxnPutsAndDeletesInOneRevision_EventsInApplyOrder()
    {
        var store = WithT1();
        store.Put("d1", "x"); // 4
        store.Put("d2", "x"); // 5
        store.TxnOk(new TxnRequest { Success = [OpPut("z", "1"), OpDelete("d1", "d3"), OpPut("a", "1")] });
        Assert.Equal(6, store.Revision);
        Assert.Equal(
            "Put:z=1@6/6/1 Delete:d1=@0/6/0<d1=x@4/4/1 Delete:d2=@0/6/0<d2=x@5/5/1 Put:a=1@6/6/1",
            store.LastEvents.Dump());
    }

    [Fact]
    public void LeaseCompare_UsesAttachedLease()
    {
        var store = new MvccStore();
        store.LeaseGrant(7668682455519342092, 30);
        store.Put("leased", "z", lease: 7668682455519342092);
        Assert.True(store.TxnOk(new TxnRequest { Compare = [Cmp("leased", CompareTarget.Lease, CompareResult.Equal, 7668682455519342092)] }).Succeeded);
        Assert.True(store.TxnOk(new TxnRequest { Compare = [Cmp("leased", CompareTarget.Lease, CompareResult.Greater, 0)] }).Succeeded);
    }

    [Fact]
    public void InvalidStructure_IsRefusedByTheStoreToo()
    {
        var store = WithT1();
        Assert.Equal(MvccStatus.DuplicateKey, store.Txn(new TxnRequest { Success = [OpPut("a", "1"), OpPut("a", "2")] }).Status);
        Assert.Equal(MvccStatus.KeyNotFound, store.Txn(new TxnRequest { Success = [new RequestOp()] }).Status);
        Assert.Equal(3, store.Revision);
    }
}
