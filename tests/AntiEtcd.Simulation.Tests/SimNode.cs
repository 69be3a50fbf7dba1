using System.Buffers.Binary;
using AntiEtcd.Raft;

namespace AntiEtcd.Simulation.Tests;

/// <summary>One simulated member: a TinyRaft core, its durable storage and a register-map state machine.</summary>
/// <remarks>On a crash only <see cref="Storage"/> survives, exactly what a server would have fsynced.</remarks>
internal sealed class SimNode
{
    private readonly SimOptions _options;
    private readonly NodeId[] _voters;

    public SimNode(int index, NodeId[] voters, SimOptions options, int seed, int priority)
    {
        Index = index;
        Priority = priority;
        _voters = voters;
        _options = options;
        Storage = new MemoryRaftStorage(voters);
        Start(seed, incomplete: false);
    }

    public int Index { get; }

    /// <summary>This node's leader_priority: exercises priority transfers under faults.</summary>
    public int Priority { get; }

    public NodeId Id => _voters[Index];

    public MemoryRaftStorage Storage { get; }

    public RaftNode Raft { get; private set; } = null!;

    public bool Up { get; private set; }

    /// <summary>Bumped on every restart, so events of a previous life are ignored.</summary>
    public int Incarnation { get; private set; }

    /// <summary>A Ready whose persistence step has not run yet (its immediate messages are already sent).</summary>
    public bool PersistPending { get; set; }

    public bool ProcessReadyScheduled { get; set; }

    public Dictionary<int, int> Registers { get; } = [];

    public ulong AppliedIndex { get; set; }

    /// <summary>Read states received and not yet served (waiting for apply to reach their index).</summary>
    public List<ReadState> WaitingReads { get; } = [];

    public void Crash()
    {
        Up = false;
        PersistPending = false;
        ProcessReadyScheduled = false;
        WaitingReads.Clear();
    }

    public void Start(int seed, bool incomplete)
    {
        Incarnation++;
        var snapshot = Storage.GetSnapshot();
        Registers.Clear();
        AppliedIndex = snapshot.Index;
        Restore(snapshot.Data.Span);
        Raft = new RaftNode(new RaftConfig
        {
            Id = Id,
            Voters = _voters,
            Storage = Storage,
            ElectionTicks = _options.ElectionTicks,
            HeartbeatTicks = _options.HeartbeatTicks,
            MaxInflightMessages = _options.MaxInflight ?? (_options.Seed % 2 == 0 ? 1 : 4),
            MaxSizePerMessage = _options.MaxSizePerMessage,
            PreVote = _options.PreVote,
            CheckQuorum = _options.CheckQuorum,
            Applied = AppliedIndex,
            Random = new Random(seed),
            PlantedBugs = _options.Bugs,
            LeaderPriority = Priority,
            IncompleteState = incomplete,
        });
        Up = true;
    }

    public byte[] SerializeState()
    {
        var b = new byte[8 + (Registers.Count * 8)];
        BinaryPrimitives.WriteUInt64LittleEndian(b, AppliedIndex);
        var at = 8;
        foreach (var (k, v) in Registers.OrderBy(p => p.Key))
        {
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(at), k);
            BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(at + 4), v);
            at += 8;
        }

        return b;
    }

    public void Restore(ReadOnlySpan<byte> data)
    {
        Registers.Clear();
        if (data.IsEmpty)
        {
            return;
        }

        for (var at = 8; at < data.Length; at += 8)
        {
            Registers[BinaryPrimitives.ReadInt32LittleEndian(data[at..])] = BinaryPrimitives.ReadInt32LittleEndian(data[(at + 4)..]);
        }
    }
}
