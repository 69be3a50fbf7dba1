using AntiEtcd.Api;
using static AntiEtcd.Mvcc.Tests.Kv;

namespace AntiEtcd.Mvcc.Tests;

/// <summary>SPEC §4.4 steps 2-3: the stateless txn checks of <see cref="RequestValidator"/>.</summary>
public sealed class TxnValidationTests
{
    private static List<RequestOp> Gets(int n, string prefix = "k") =>
        Enumerable.Range(0, n).Select(i => OpGet($"{prefix}{i:D3}")).ToList();

    private static List<RequestOp> Puts(int n, string prefix = "k") =>
        Enumerable.Range(0, n).Select(i => OpPut($"{prefix}{i:D3}", "v")).ToList();

    private static MvccStatus Validate(TxnRequest txn) => RequestValidator.ValidateTxn(txn, RequestValidator.DefaultMaxTxnOps);

    [Fact]
    public void Budget_128OpsPass_129Fail_InEachList()
    {
        Assert.Equal(MvccStatus.Ok, Validate(new TxnRequest { Success = Gets(128) }));
        Assert.Equal(MvccStatus.TooManyOperations, Validate(new TxnRequest { Success = Gets(129) }));
        Assert.Equal(MvccStatus.TooManyOperations, Validate(new TxnRequest { Failure = Puts(129) }));
        var compares = Enumerable.Range(0, 129).Select(i => Cmp($"k{i}", CompareTarget.Version, CompareResult.Equal)).ToList();
        Assert.Equal(MvccStatus.TooManyOperations, Validate(new TxnRequest { Compare = compares }));
        Assert.Equal(MvccStatus.Ok, RequestValidator.ValidateTxn(new TxnRequest { Success = Gets(129) }, 129));
    }

    [Fact]
    public void NestedBudget_100SuccessOpsLeave28ForANestedTxn()
    {
        TxnRequest Outer(int nested, bool inFailure)
        {
            var ops = Gets(99, "o");
            var inner = new TxnRequest { Success = Gets(nested, "n") };
            var outer = new TxnRequest { Success = ops };
            if (inFailure)
            {
                outer.Failure = [OpTxn(inner)];
                ops.Add(OpGet("o999"));
            }
            else
            {
                ops.Add(OpTxn(inner));
            }

            return outer;
        }

        Assert.Equal(MvccStatus.Ok, Validate(Outer(28, inFailure: false)));
        Assert.Equal(MvccStatus.TooManyOperations, Validate(Outer(29, inFailure: false)));
        Assert.Equal(MvccStatus.Ok, Validate(Outer(28, inFailure: true)));
        Assert.Equal(MvccStatus.TooManyOperations, Validate(Outer(29, inFailure: true)));
    }

    [Fact]
    public void NestedBudget_UsesTheWidestOfCompareSuccessFailure()
    {
        var compares = Enumerable.Range(0, 120).Select(i => Cmp($"c{i}", CompareTarget.Version, CompareResult.Equal)).ToList();
        var txn = new TxnRequest { Compare = compares, Success = [OpTxn(new TxnRequest { Success = Gets(8) })] };
        Assert.Equal(MvccStatus.Ok, Validate(txn));
        txn.Success = [OpTxn(new TxnRequest { Success = Gets(9) })];
        Assert.Equal(MvccStatus.TooManyOperations, Validate(txn));
    }

    [Fact]
    public void NestedBudget_ShrinksAtEachLevel()
    {
        // 64 at the top leaves 64; 60 in the nested level leaves 4 for the next one.
        var innermost = new TxnRequest { Success = Gets(4, "c") };
        var middle = new TxnRequest { Success = [.. Gets(59, "b"), OpTxn(innermost)] };
        var top = new TxnRequest { Success = [.. Gets(63, "a"), OpTxn(middle)] };
        Assert.Equal(MvccStatus.Ok, Validate(top));
        innermost.Success = Gets(5, "c");
        Assert.Equal(MvccStatus.TooManyOperations, Validate(top));
    }

    [Fact]
    public void CompareWithEmptyKey_IsKeyNotProvided()
    {
        Assert.Equal(MvccStatus.KeyNotProvided, Validate(new TxnRequest { Compare = [new Compare { Target = CompareTarget.Version }] }));
    }

    [Fact]
    public void EmptyOp_IsKeyNotFound_InEitherBranchAndNested()
    {
        Assert.Equal(MvccStatus.KeyNotFound, Validate(new TxnRequest { Success = [new RequestOp()] }));
        Assert.Equal(MvccStatus.KeyNotFound, Validate(new TxnRequest { Failure = [new RequestOp()] }));
        Assert.Equal(MvccStatus.KeyNotFound, Validate(new TxnRequest { Success = [OpTxn(new TxnRequest { Failure = [new RequestOp()] })] }));
    }

    [Fact]
    public void OpChecks_ApplyInsideTxns()
    {
        Assert.Equal(MvccStatus.KeyNotProvided, Validate(new TxnRequest { Success = [new RequestOp { RequestPut = new PutRequest { Value = B("1") } }] }));
        Assert.Equal(MvccStatus.KeyNotProvided, Validate(new TxnRequest { Success = [new RequestOp { RequestRange = new RangeRequest() }] }));
        Assert.Equal(MvccStatus.KeyNotProvided, Validate(new TxnRequest { Success = [new RequestOp { RequestDeleteRange = new DeleteRangeRequest() }] }));
        Assert.Equal(MvccStatus.ValueProvided, Validate(new TxnRequest { Success = [new RequestOp { RequestPut = new PutRequest { Key = B("k"), Value = B("1"), IgnoreValue = true } }] }));
        Assert.Equal(MvccStatus.LeaseProvided, Validate(new TxnRequest { Success = [new RequestOp { RequestPut = new PutRequest { Key = B("k"), Lease = 1, IgnoreLease = true } }] }));
        Assert.Equal(MvccStatus.InvalidSortOption, Validate(new TxnRequest { Failure = [new RequestOp { RequestRange = new RangeRequest { Key = B("k"), SortOrder = (SortOrder)9 } }] }));
    }

    [Fact]
    public void StructureErrors_ComeBeforeDuplicateKeys()
    {
        var txn = new TxnRequest { Success = [OpPut("a", "1"), OpPut("a", "2")], Failure = [new RequestOp()] };
        Assert.Equal(MvccStatus.KeyNotFound, Validate(txn));
    }

    [Fact]
    public void TwoPutsOfOneKey_AreDuplicate()
    {
        Assert.Equal(MvccStatus.DuplicateKey, Validate(new TxnRequest { Success = [OpPut("dup", "1"), OpPut("dup", "2")] }));
        Assert.Equal(MvccStatus.DuplicateKey, Validate(new TxnRequest { Failure = [OpPut("dup", "1"), OpGet("x"), OpPut("dup", "2")] }));
    }

    [Fact]
    public void PutInsideDeleteRange_IsDuplicate_InEitherOrder()
    {
        Assert.Equal(MvccStatus.DuplicateKey, Validate(new TxnRequest { Success = [OpPut("dup", "1"), OpDelete("dup")] }));
        Assert.Equal(MvccStatus.DuplicateKey, Validate(new TxnRequest { Success = [OpDelete("a", "z"), OpPut("m", "1")] }));
        Assert.Equal(MvccStatus.DuplicateKey, Validate(new TxnRequest { Success = [OpPut("m", "1"), OpDelete("a", "\0")] }));
        Assert.Equal(MvccStatus.Ok, Validate(new TxnRequest { Success = [OpPut("z", "1"), OpDelete("a", "z")] }));
        Assert.Equal(MvccStatus.Ok, Validate(new TxnRequest { Success = [OpPut("m", "1"), OpDelete("z", "a")] }));
    }

    [Fact]
    public void OverlappingDeletes_AndRangesOverPuts_AreFine()
    {
        Assert.Equal(MvccStatus.Ok, Validate(new TxnRequest { Success = [OpDelete("a", "m"), OpDelete("c", "z"), OpDelete("c")] }));
        Assert.Equal(MvccStatus.Ok, Validate(new TxnRequest { Success = [OpPut("a", "1"), OpGet("a"), OpGet("\0", "\0")] }));
    }

    [Fact]
    public void SuccessAndFailure_AreCheckedSeparately()
    {
        Assert.Equal(MvccStatus.Ok, Validate(new TxnRequest { Success = [OpPut("a", "1")], Failure = [OpPut("a", "2"), OpDelete("b")] }));
        Assert.Equal(MvccStatus.Ok, Validate(new TxnRequest { Success = [OpDelete("a")], Failure = [OpPut("a", "2")] }));
    }

    [Fact]
    public void NestedTxns_AreFlattenedIntoTheirBranch()
    {
        var nestedPut = OpTxn(new TxnRequest { Success = [OpPut("a", "2")] });
        Assert.Equal(MvccStatus.DuplicateKey, Validate(new TxnRequest { Success = [OpPut("a", "1"), nestedPut] }));
        var nestedDelete = OpTxn(new TxnRequest { Failure = [OpDelete("a", "b")] });
        Assert.Equal(MvccStatus.DuplicateKey, Validate(new TxnRequest { Success = [OpPut("a", "1"), nestedDelete] }));
        Assert.Equal(MvccStatus.DuplicateKey, Validate(new TxnRequest { Success = [nestedDelete, OpPut("a", "1")] }));
        var deep = OpTxn(new TxnRequest { Success = [OpTxn(new TxnRequest { Success = [OpPut("a", "3")] })] });
        Assert.Equal(MvccStatus.DuplicateKey, Validate(new TxnRequest { Failure = [deep, OpPut("a", "1")] }));
        Assert.Equal(MvccStatus.Ok, Validate(new TxnRequest { Success = [deep], Failure = [OpPut("a", "1")] }));
    }

    [Fact]
    public void TwoNestedTxns_ConflictWithEachOther()
    {
        var first = OpTxn(new TxnRequest { Success = [OpPut("a", "1")] });
        var second = OpTxn(new TxnRequest { Failure = [OpPut("a", "2")] });
        Assert.Equal(MvccStatus.DuplicateKey, Validate(new TxnRequest { Success = [first, second] }));
        var deleting = OpTxn(new TxnRequest { Success = [OpDelete("\0", "\0")] });
        Assert.Equal(MvccStatus.DuplicateKey, Validate(new TxnRequest { Success = [first, deleting] }));
    }

    [Fact]
    public void NestedSuccessAndFailure_MayWriteTheSameKey()
    {
        var nested = OpTxn(new TxnRequest
        {
            Compare = [Cmp("c", CompareTarget.Version, CompareResult.Equal)],
            Success = [OpPut("a", "1")],
            Failure = [OpPut("a", "2"), OpDelete("a", "b")],
        });
        Assert.Equal(MvccStatus.DuplicateKey, Validate(new TxnRequest { Success = [nested] }));
        nested.RequestTxn!.Failure = [OpPut("a", "2")];
        Assert.Equal(MvccStatus.Ok, Validate(new TxnRequest { Success = [nested] }));
        nested.RequestTxn!.Failure = [OpDelete("a", "b")];
        Assert.Equal(MvccStatus.Ok, Validate(new TxnRequest { Success = [nested] }));
        Assert.Equal(MvccStatus.DuplicateKey, Validate(new TxnRequest { Success = [nested, OpPut("a", "9")] }));
    }

    [Fact]
    public void IsReadOnly_DependsOnlyOnPutsAndDeletes_AtAnyLevelAndBranch()
    {
        Assert.True(RequestValidator.IsReadOnly(new TxnRequest()));
        Assert.True(RequestValidator.IsReadOnly(new TxnRequest { Compare = [Cmp("a", CompareTarget.Mod, CompareResult.Greater, 5)], Success = [OpGet("a")], Failure = [OpTxn(new TxnRequest { Success = [OpGet("b")] })] }));
        Assert.False(RequestValidator.IsReadOnly(new TxnRequest { Failure = [OpPut("a", "1")] }));
        Assert.False(RequestValidator.IsReadOnly(new TxnRequest { Success = [OpDelete("a")] }));
        Assert.False(RequestValidator.IsReadOnly(new TxnRequest { Success = [OpTxn(new TxnRequest { Failure = [OpDelete("a")] })] }));
    }

    [Fact]
    public void LeaseGrant_StatelessChecks()
    {
        Assert.Equal(MvccStatus.Ok, RequestValidator.ValidateLeaseGrant(new LeaseGrantRequest { Id = 0, Ttl = -5 }));
        Assert.Equal(MvccStatus.LeaseIdNegative, RequestValidator.ValidateLeaseGrant(new LeaseGrantRequest { Id = -5, Ttl = 30 }));
        Assert.Equal(MvccStatus.LeaseTtlTooLarge, RequestValidator.ValidateLeaseGrant(new LeaseGrantRequest { Id = 1005, Ttl = 9_000_000_001 }));
        Assert.Equal(MvccStatus.Ok, RequestValidator.ValidateLeaseGrant(new LeaseGrantRequest { Id = 1005, Ttl = 9_000_000_000 }));
    }

    [Fact]
    public void DeleteRange_And_Range_Stateless()
    {
        Assert.Equal(MvccStatus.KeyNotProvided, RequestValidator.ValidateDeleteRange(new DeleteRangeRequest { RangeEnd = B("z") }));
        Assert.Equal(MvccStatus.Ok, RequestValidator.ValidateDeleteRange(new DeleteRangeRequest { Key = B("a") }));
        Assert.Equal(MvccStatus.KeyNotProvided, RequestValidator.ValidateRange(new RangeRequest { SortOrder = (SortOrder)7 }));
    }
}
