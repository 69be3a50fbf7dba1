
namespace AntiEtcd.Raft.Tests.TestKit;

/// <summary>One node of an <see cref="InteractionEnv"/>: the core, its storage and what it applied.</summary>
internal sealed class TestNode
{
    public TestNode(ulong id, MemoryRaftStorage storage, IReadOnlyList<NodeId> voters, NodeOptions options)
    {
        Storage = storage;
        Voters = voters;
        Options = options;
        Raft = new RaftNode(new RaftConfig
        {
            Id = new NodeId(id),
            Voters = voters,
            Storage = storage,
            ElectionTicks = options.ElectionTicks,
            HeartbeatTicks = options.HeartbeatTicks,
            PreVote = options.PreVote,
            CheckQuorum = options.CheckQuorum,
            LeaderPriority = options.Priority,
            MaxInflightMessages = options.MaxInflight,
            MaxSizePerMessage = options.MaxSizePerMessage,
            InMemory = options.InMemory,
            IncompleteState = options.IncompleteState,
            Random = new Random((int)id),
            PlantedBugs = options.Bugs,
            Applied = storage.FirstIndex - 1,
        });
        AppliedIndex = storage.FirstIndex - 1;
    }

    public RaftNode Raft { get; }

    public MemoryRaftStorage Storage { get; }

    public IReadOnlyList<NodeId> Voters { get; }

    public NodeOptions Options { get; }

    public List<Entry> Applied { get; } = [];

    public ulong AppliedIndex { get; private set; }

    public List<ReadState> ReadStates { get; } = [];

    /// <summary>Every <see cref="Ready.StateSnapshot"/> this node installed.</summary>
    public List<Snapshot> StateSnapshots { get; } = [];

    /// <summary>Every <see cref="Ready.SnapshotWanted"/> this node's Readies carried.</summary>
    public List<ulong> SnapshotsWanted { get; } = [];

    public void Persist(Ready rd)
    {
        if (rd.Snapshot is not null)
        {
            Storage.ApplySnapshot(rd.Snapshot);
        }

        Storage.Append(rd.Entries);
        if (rd.HardState is { } hs)
        {
            Storage.SetHardState(hs);
        }
    }

    public void Apply(Ready rd)
    {
        if (rd.Snapshot is not null)
        {
            AppliedIndex = rd.Snapshot.Index;
        }

        if (rd.StateSnapshot is not null)
        {
            AppliedIndex = rd.StateSnapshot.Index;
            StateSnapshots.Add(rd.StateSnapshot);
        }

        foreach (var e in rd.CommittedEntries)
        {
            if (e.Index != AppliedIndex + 1)
            {
                throw new InvalidOperationException($"applying {e.Index} after {AppliedIndex}");
            }

            AppliedIndex = e.Index;
            Applied.Add(e);
        }

        ReadStates.AddRange(rd.ReadStates);
        if (rd.SnapshotWanted is { } wanted)
        {
            SnapshotsWanted.Add(wanted);
        }
    }
}
