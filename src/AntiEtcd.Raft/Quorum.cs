namespace AntiEtcd.Raft;

/// <summary>Majority arithmetic (Raft §5.2, §5.3). Kept separate so property tests can pin it down.</summary>
internal static class Quorum
{
    /// <summary>The smallest number of voters that is a majority of <paramref name="voters"/>.</summary>
    public static int Majority(int voters) => (voters / 2) + 1;

    /// <summary>The largest index that a majority of the given match indexes have reached.</summary>
    /// <param name="matches">One match index per voter; reordered in place.</param>
    public static ulong CommittedIndex(Span<ulong> matches)
    {
        if (matches.IsEmpty)
        {
            return ulong.MaxValue; // an empty configuration commits everything (as in etcd-io/raft)
        }

        matches.Sort();
        // Ascending order: the element with Majority(n) elements at or above it.
        return matches[matches.Length - Majority(matches.Length)];
    }

    /// <summary>The outcome of an election with <paramref name="granted"/> and <paramref name="rejected"/> votes out of <paramref name="voters"/>.</summary>
    public static VoteResult Tally(int granted, int rejected, int voters)
    {
        var q = Majority(voters);
        if (granted >= q)
        {
            return VoteResult.Won;
        }

        return voters - rejected < q ? VoteResult.Lost : VoteResult.Pending;
    }
}
