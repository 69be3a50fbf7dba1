using static AntiEtcd.Api.Tests.TestJson;

namespace AntiEtcd.Api.Tests;

/// <summary>SPEC §3.3 and §4.4 step 1: compares, ops, nesting and error paths.</summary>
public sealed class TxnDecodingTests
{
    [Fact]
    public void FullTxnWithAliases()
    {
        // Shapes of txn/mod-equal-success-nested.txt and txn/nested-txn.txt, with camelCase aliases.
        var txn = Txn("{\"compare\":[{\"result\":\"EQUAL\",\"target\":\"MOD\",\"key\":\"dDE=\",\"modRevision\":\"18\",\"rangeEnd\":\"dQ==\"},"
            + "{\"target\":\"CREATE\",\"key\":\"dDE=\",\"createRevision\":3},{\"target\":\"VALUE\",\"value\":\"djI=\"},"
            + "{\"target\":\"LEASE\",\"lease\":\"7\",\"version\":2}],"
            + "\"success\":[{\"requestPut\":{\"key\":\"dDE=\",\"value\":\"djI=\",\"prevKv\":true}},{\"requestRange\":{\"key\":\"dDE=\"}},"
            + "{\"requestDeleteRange\":{\"key\":\"dDA=\",\"prev_kv\":true}},{\"requestTxn\":{\"success\":[{\"request_range\":{\"key\":\"eA==\"}}]}}],"
            + "\"failure\":[{\"request_range\":{\"key\":\"dDE=\"}}]}");
        Assert.Equal(4, txn.Compare.Count);
        var c = txn.Compare[0];
        Assert.Equal((CompareResult.Equal, CompareTarget.Mod, "t1", 18L, "u"), (c.Result, c.Target, Text(c.Key), c.ModRevision, Text(c.RangeEnd)));
        Assert.Equal(3, txn.Compare[1].CreateRevision);
        Assert.Equal("v2", Text(txn.Compare[2].Value));
        Assert.Equal((7L, 2L), (txn.Compare[3].Lease, txn.Compare[3].Version));

        Assert.Equal(4, txn.Success.Count);
        Assert.True(txn.Success[0].RequestPut!.PrevKv);
        Assert.Equal("t1", Text(txn.Success[1].RequestRange!.Key));
        Assert.Equal("t0", Text(txn.Success[2].RequestDeleteRange!.Key));
        Assert.Equal("x", Text(txn.Success[3].RequestTxn!.Success[0].RequestRange!.Key));
        Assert.Null(txn.Success[0].RequestRange);
        Assert.Single(txn.Failure);
    }

    [Fact]
    public void EmptyTxnAndEmptyOp()
    {
        var txn = Txn("{}");
        Assert.Empty(txn.Compare);
        Assert.Empty(txn.Success);
        Assert.Empty(txn.Failure);

        // errors/txn-request-op-empty.txt: decodes; the validator answers "key not found".
        var op = Assert.Single(Txn("{\"success\":[{}]}").Success);
        Assert.True(op.RequestRange is null && op.RequestPut is null && op.RequestDeleteRange is null && op.RequestTxn is null);
        op = Assert.Single(Txn("{\"success\":[{\"request_put\":null,\"bogus\":1}]}").Success);
        Assert.Null(op.RequestPut);
        Assert.Null(Assert.Single(Txn("{\"success\":[null]}").Success).RequestPut);
        Assert.True(Assert.Single(Txn("{\"compare\":[null]}").Compare).Key.IsEmpty);
    }

    [Fact]
    public void ErrorPaths()
    {
        Assert.Equal("invalid value for field \"success[1].request_put.lease\": expected integer",
            TxnError("{\"success\":[{\"request_range\":{\"key\":\"eA==\"}},{\"request_put\":{\"key\":\"eA==\",\"lease\":\"x\"}}]}"));
        Assert.Equal("invalid value for field \"compare[0].version\": expected integer",
            TxnError("{\"compare\":[{\"version\":true}]}"));
        Assert.Equal("invalid value for field \"compare[2].key\": expected string",
            TxnError("{\"compare\":[{},{},{\"key\":5}]}"));
        Assert.Equal("invalid value for field \"failure[0].request_txn.success[0].request_range.limit\": integer out of range",
            TxnError("{\"failure\":[{\"request_txn\":{\"success\":[{\"request_range\":{\"limit\":\"99999999999999999999\"}}]}}]}"));
        Assert.Equal("invalid value for field \"success[0].request_delete_range.prev_kv\": expected boolean",
            TxnError("{\"success\":[{\"requestDeleteRange\":{\"prevKv\":\"yes\"}}]}"));
        Assert.Equal("invalid value for field \"success[0].request_txn.compare[0].result\": expected enum",
            TxnError("{\"success\":[{\"request_txn\":{\"compare\":[{\"result\":[]}]}}]}"));
    }

    [Fact]
    public void WrongContainerTypes()
    {
        Assert.Equal("invalid value for field \"compare\": expected array", TxnError("{\"compare\":{}}"));
        Assert.Equal("invalid value for field \"success\": expected array", TxnError("{\"success\":\"x\"}"));
        Assert.Equal("invalid value for field \"failure\": expected array", TxnError("{\"failure\":1}"));
        Assert.Equal("invalid value for field \"success[0]\": expected object", TxnError("{\"success\":[5]}"));
        Assert.Equal("invalid value for field \"compare[1]\": expected object", TxnError("{\"compare\":[{},[]]}"));
        Assert.Equal("invalid value for field \"success[0].request_put\": expected object", TxnError("{\"success\":[{\"request_put\":5}]}"));
        Assert.Equal("invalid value for field \"success[0].request_txn\": expected object", TxnError("{\"success\":[{\"requestTxn\":[]}]}"));
        Assert.Equal("invalid value for field \"success[0].request_txn.failure\": expected array",
            TxnError("{\"success\":[{\"request_txn\":{\"failure\":{}}}]}"));
    }

    [Fact]
    public void MoreThanOneOperation()
    {
        Assert.Equal("invalid value for field \"success[0]\": more than one operation",
            TxnError("{\"success\":[{\"request_put\":{\"key\":\"eA==\"},\"request_range\":{\"key\":\"eA==\"}}]}"));
        Assert.Equal("invalid value for field \"failure[1]\": more than one operation",
            TxnError("{\"failure\":[{},{\"requestRange\":{},\"requestTxn\":{}}]}"));
        Assert.Equal("invalid value for field \"success[0].request_txn.failure[2]\": more than one operation",
            TxnError("{\"success\":[{\"request_txn\":{\"failure\":[{},{},{\"request_put\":{},\"request_delete_range\":{}}]}}]}"));

        // The second operation is refused where it appears, even if it is not an object.
        Assert.Equal("invalid value for field \"success[0]\": more than one operation",
            TxnError("{\"success\":[{\"request_put\":{},\"request_range\":5}]}"));

        // An error inside the first operation comes first in document order.
        Assert.Equal("invalid value for field \"success[0].request_put.lease\": expected integer",
            TxnError("{\"success\":[{\"request_put\":{\"lease\":\"x\"},\"request_range\":{}}]}"));
    }

    [Fact]
    public void SameOperationTwiceIsOneOperation()
    {
        // Both names of one field: the last occurrence wins; an earlier invalid one is not looked at.
        var op = Assert.Single(Txn("{\"success\":[{\"request_put\":{\"key\":1},\"requestPut\":{\"key\":\"eA==\"}}]}").Success);
        Assert.Equal("x", Text(op.RequestPut!.Key));

        // A null operation is a missing one.
        op = Assert.Single(Txn("{\"success\":[{\"request_put\":{\"key\":\"eA==\"},\"request_range\":null}]}").Success);
        Assert.NotNull(op.RequestPut);
    }

    [Fact]
    public void ManyOpsDecode()
    {
        // txn/128-ops-ok-abbrev.txt shape with 129 ops: the limit is the validator's, not the decoder's.
        string ops = string.Join(",", Enumerable.Range(0, 129).Select(i => $"{{\"request_put\":{{\"key\":\"{Convert.ToBase64String(BitConverter.GetBytes(i))}\"}}}}"));
        Assert.Equal(129, Txn("{\"success\":[" + ops + "]}").Success.Count);
    }
}
