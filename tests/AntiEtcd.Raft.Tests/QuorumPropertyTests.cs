namespace AntiEtcd.Raft.Tests;

/// <summary>Property tests for majority arithmetic (Raft §5.2, §5.3), over seeded random inputs.</summary>
public sealed class QuorumPropertyTests
{
    private const int Cases = 5_000;

    /// <summary>Any two majorities of the same cluster intersect, which is what makes one leader per term possible.</summary>
    [Fact]
    public void MajoritiesIntersect()
    {
        for (var n = 1; n <= 101; n++)
        {
            var q = Quorum.Majority(n);
            Assert.True(2 * q > n, $"n={n}");
            Assert.True(q <= n, $"n={n}");
            Assert.True(2 * (q - 1) <= n, $"majority of {n} is not minimal");
        }
    }

    /// <summary>The committed index is reached by a majority, and the next index is not.</summary>
    [Fact]
    public void CommittedIndexIsTheLargestIndexAMajorityHas()
    {
        var random = new Random(1);
        for (var c = 0; c < Cases; c++)
        {
            var n = random.Next(1, 10);
            var matches = new ulong[n];
            for (var i = 0; i < n; i++)
            {
                matches[i] = (ulong)random.Next(0, 20);
            }

            var copy = (ulong[])matches.Clone();
            var committed = Quorum.CommittedIndex(copy);
            var q = Quorum.Majority(n);
            Assert.True(matches.Count(m => m >= committed) >= q);
            Assert.True(matches.Count(m => m >= committed + 1) < q);
        }
    }

    /// <summary>The committed index never decreases when any member's match grows.</summary>
    [Fact]
    public void CommittedIndexIsMonotonic()
    {
        var random = new Random(2);
        for (var c = 0; c < Cases; c++)
        {
            var n = random.Next(1, 10);
            var matches = Enumerable.Range(0, n).Select(_ => (ulong)random.Next(0, 20)).ToArray();
            var before = Quorum.CommittedIndex((ulong[])matches.Clone());
            matches[random.Next(n)] += (ulong)random.Next(1, 5);
            Assert.True(Quorum.CommittedIndex((ulong[])matches.Clone()) >= before);
        }
    }

    /// <summary>An election is won exactly with a majority of grants, lost exactly when a majority is out of reach, never both.</summary>
    [Fact]
    public void TallyMatchesDefinition()
    {
        for (var n = 1; n <= 15; n++)
        {
            for (var granted = 0; granted <= n; granted++)
            {
                for (var rejected = 0; granted + rejected <= n; rejected++)
                {
                    var r = Quorum.Tally(granted, rejected, n);
                    var q = Quorum.Majority(n);
                    Assert.Equal(granted >= q, r == VoteResult.Won);
                    Assert.Equal(granted < q && n - rejected < q, r == VoteResult.Lost);
                    if (granted + rejected == n)
                    {
                        Assert.NotEqual(VoteResult.Pending, r); // everyone answered: decided
                    }
                }
            }
        }
    }
}
