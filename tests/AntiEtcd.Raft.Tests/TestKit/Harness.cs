namespace AntiEtcd.Raft.Tests.TestKit;

/// <summary>Helpers for tests that drive a single <see cref="RaftNode"/> by hand.</summary>
internal static class Harness
{
    public static NodeId[] Ids(int n) => [.. Enumerable.Range(1, n).Select(i => new NodeId((ulong)i))];

    /// <summary>A storage holding entries with the given terms at indexes 1.. and the given hard state.</summary>
    public static MemoryRaftStorage Storage(int voters, ulong[]? terms = null, HardState hardState = default)
    {
        var s = new MemoryRaftStorage(Ids(voters));
        if (terms is { Length: > 0 })
        {
            s.Append([.. terms.Select((t, i) => new Entry(t, (ulong)i + 1, EntryType.Normal, new byte[] { (byte)i }))]);
        }

        s.SetHardState(hardState);
        return s;
    }

    public static RaftNode Node(ulong id, int voters, MemoryRaftStorage? storage = null, int electionTicks = 10, bool preVote = false, bool checkQuorum = false, int seed = 1, RaftBugs bugs = RaftBugs.None) =>
        new(new RaftConfig
        {
            Id = new NodeId(id),
            Voters = Ids(voters),
            Storage = storage ?? Storage(voters),
            ElectionTicks = electionTicks,
            HeartbeatTicks = 1,
            PreVote = preVote,
            CheckQuorum = checkQuorum,
            Random = new Random(seed),
            PlantedBugs = bugs,
        });

    /// <summary>Processes one Ready as a server would (persisting into <paramref name="storage"/>) and returns every message.</summary>
    public static List<Message> Drain(RaftNode node, MemoryRaftStorage storage, List<Entry>? applied = null)
    {
        var all = new List<Message>();
        while (node.HasReady())
        {
            var rd = node.GetReady();
            if (rd.Snapshot is not null)
            {
                storage.ApplySnapshot(rd.Snapshot);
            }

            storage.Append(rd.Entries);
            if (rd.HardState is { } hs)
            {
                storage.SetHardState(hs);
            }

            all.AddRange(rd.Messages);
            all.AddRange(rd.MessagesAfterPersist);
            applied?.AddRange(rd.CommittedEntries);
            node.Advance(rd);
        }

        return all;
    }

    public static Message Msg(MessageType type, ulong from, ulong to, ulong term) =>
        new() { Type = type, From = new NodeId(from), To = new NodeId(to), Term = term };
}
