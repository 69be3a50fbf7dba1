namespace AntiEtcd.Mvcc.Tests;

/// <summary>The B+tree against SortedDictionary, with the structural check after each batch.</summary>
public sealed class KeyIndexTests
{
    private static ReadOnlyMemory<byte> K(int i) => System.Text.Encoding.ASCII.GetBytes($"k{i:D6}");

    [Fact]
    public void RandomInsertsAndRemoves_MatchSortedDictionary()
    {
        var rng = new Random(7);
        var index = new KeyIndex<int>();
        var model = new SortedDictionary<int, int>();
        for (var step = 0; step < 40_000; step++)
        {
            var k = rng.Next(5_000);
            if (rng.Next(3) == 0)
            {
                Assert.Equal(model.Remove(k), index.Remove(K(k).Span));
            }
            else
            {
                Assert.Equal(model.TryAdd(k, step), index.TryAdd(K(k), step));
            }

            if (step % 2_000 == 0)
            {
                index.CheckInvariants();
            }
        }

        index.CheckInvariants();
        Assert.Equal(model.Count, index.Count);
        var cursor = index.First();
        foreach (var (k, v) in model)
        {
            Assert.True(cursor.IsValid);
            Assert.True(cursor.IsAt(K(k).Span));
            Assert.Equal(v, cursor.Value);
            cursor.MoveNext();
        }

        Assert.False(cursor.IsValid);
    }

    [Fact]
    public void Seek_FindsLowerBound()
    {
        var index = new KeyIndex<int>();
        for (var i = 0; i < 1000; i += 2)
        {
            index.TryAdd(K(i), i);
        }

        Assert.Equal(10, index.Seek(K(9).Span).Value);
        Assert.Equal(10, index.Seek(K(10).Span).Value);
        Assert.False(index.Seek(K(999).Span).IsValid);
        Assert.Equal(0, index.Seek([]).Value);
    }

    [Fact]
    public void AscendingInserts_FillLeavesAndRemoveAllEmptiesTree()
    {
        var index = new KeyIndex<int>();
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(index.TryAdd(K(i), i));
        }

        index.CheckInvariants();
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(index.Remove(K(i).Span));
        }

        index.CheckInvariants();
        Assert.Equal(0, index.Count);
        Assert.False(index.First().IsValid);
    }

    [Fact]
    public void ProperPrefixSortsFirst_AndBytesAreUnsigned()
    {
        var index = new KeyIndex<int>();
        index.TryAdd(new byte[] { 0xFF }, 1);
        index.TryAdd(new byte[] { 0x61, 0x00 }, 2);
        index.TryAdd(new byte[] { 0x61 }, 3);
        index.TryAdd(new byte[] { 0x00 }, 4);
        var order = new List<int>();
        for (var c = index.First(); c.IsValid; c.MoveNext())
        {
            order.Add(c.Value);
        }

        Assert.Equal([4, 3, 2, 1], order);
    }
}
